// The incident, status page, maintenance and SLA commands as people run them: a real `roost` process on a
// scratch data directory, each command a separate run against the same SQLite store.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromiumPath } from './fixtures/browser.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';

describe('roost incident | status-page | maintenance | sla', () => {
  const scratch = scratchDirectory();
  const roost = (...args: string[]) => runCli(args, { cwd: scratch.path, timeoutMs: 60_000 });
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await roost('--json', ...args);
    assert.equal(result.code, 0, `roost ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };

  before(async () => {
    assert.equal((await roost('migrate')).code, 0);
    // Registered only: nothing serves, so its provisioning job just waits in the queue.
    await json('instance', 'create', 'acme-cli', '--customer', 'Acme', '--env', 'production');
  });
  after(() => scratch.remove());

  it('opens, notes, resolves and searches incidents; the post-mortem draft comes from the logbook', async () => {
    const created = await json<{ id: string; status: string }>(
      'incident',
      'create',
      'Database refuses connections',
      '--severity',
      'critical',
      '--instance',
      'acme-cli',
      '--what',
      'The API answers 500.',
      '--message',
      'We are investigating.',
    );
    assert.equal(created.status, 'investigating');
    const noted = await roost(
      'incident',
      'note',
      created.id,
      'Pool exhausted by a batch job.',
      '--status',
      'identified',
    );
    assert.equal(noted.code, 0, noted.stderr);
    // `postmortem` comes from publish-postmortem only.
    const byHand = await roost(
      'incident',
      'note',
      created.id,
      'Post-mortem is out.',
      '--status',
      'postmortem',
    );
    assert.equal(byHand.code, 2);
    assert.match(
      byHand.stderr,
      /'postmortem' is invalid\. Allowed choices are investigating, identified, monitoring, resolved/,
    );
    assert.equal(
      (
        await roost(
          'incident',
          'update',
          created.id,
          '--understood',
          'max_connections reached',
          '--avoid',
          'Alert at 80% of the pool',
        )
      ).code,
      0,
    );
    const resolved = await roost('incident', 'resolve', created.id, 'Connections are back.');
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, /# Post-mortem: Database refuses connections/);
    assert.match(resolved.stdout, /## How to avoid it next time\n\nAlert at 80% of the pool/);

    const shown = await roost('incident', 'show', created.id);
    assert.match(shown.stdout, /critical, resolved/);
    assert.match(shown.stdout, /How we understood it: max_connections reached/);
    const found = await json<{ incidents: Array<{ id: string }> }>(
      'incident',
      'list',
      '--search',
      'batch job',
    );
    assert.deepEqual(
      found.incidents.map((incident) => incident.id),
      [created.id],
    );
    const none = await json<{ incidents: unknown[] }>('incident', 'list', '--open');
    assert.deepEqual(none.incidents, []);
    const missing = await roost('incident', 'show', `inc_${'0'.repeat(26)}`);
    assert.equal(missing.code, 3);
  });

  it('manages components and maintenance windows, and refuses business hours without confirmation', async () => {
    const component = await json<{ id: string }>(
      'status-page',
      'add-component',
      'acme-cli',
      'API',
      '--monitor',
      'mon_api',
    );
    assert.match(component.id, /^cmp_/);
    assert.equal(
      (await roost('status-page', 'set-status', component.id, '--status', 'partial_outage')).code,
      0,
    );
    assert.equal(
      (await roost('status-page', 'configure', 'acme-cli', '--name', 'Acme Corp', '--sla-target', '99.5'))
        .code,
      0,
    );
    const shown = await roost('status-page', 'show', 'acme-cli');
    assert.match(shown.stdout, /Acme Corp; SLA target 99\.5%/);
    assert.match(shown.stdout, /API\s+cmp_\w+\s+partial_outage\s+mon_api/);

    // A Wednesday afternoon in Paris, well in the future.
    const daytime = [
      'maintenance',
      'schedule',
      'acme-cli',
      'Kernel update',
      '--start',
      '2030-01-09T14:00:00+01:00',
      '--end',
      '2030-01-09T15:00:00+01:00',
    ];
    const refused = await roost(...daytime);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /business hours/);
    const confirmed = await json<{ inBusinessHours: boolean; state: string }>(
      ...daytime,
      '--confirm-business-hours',
    );
    assert.equal(confirmed.inBusinessHours, true);
    assert.equal(confirmed.state, 'scheduled');
    const night = await json<{ id: string; inBusinessHours: boolean }>(
      'maintenance',
      'schedule',
      'acme-cli',
      'Database upgrade',
      '--start',
      '2030-01-09T22:00:00+01:00',
      '--end',
      '2030-01-09T23:00:00+01:00',
      '--component',
      component.id,
    );
    assert.equal(night.inBusinessHours, false);
    const list = await roost('maintenance', 'list', 'acme-cli');
    assert.match(list.stdout, /Database upgrade/);
    assert.equal((await roost('maintenance', 'cancel', night.id)).code, 0);
  });

  it('reports the monthly SLA as text, CSV and HTML', async () => {
    const text = await roost('sla', 'report', 'acme-cli', '--month', '2026-11');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /acme-cli 2026-11.*no data against 99\.5%/);
    const csv = await roost('sla', 'report', 'acme-cli', '--month', '2026-11', '--format', 'csv');
    const [header, row] = csv.stdout.trim().split('\n');
    assert.match(header ?? '', /^instance,customer,month,time_zone,target_percent,uptime_percent,result,/);
    assert.match(row ?? '', /^acme-cli,Acme,2026-11,Europe\/Paris,99\.5,,no data,2592000,/);
    const html = await roost('sla', 'report', 'acme-cli', '--month', '2026-11', '--format', 'html');
    assert.match(html.stdout, /<h1>SLA report: acme-cli, 2026-11<\/h1>/);
    const wrong = await roost('sla', 'report', 'acme-cli', '--month', '2026-13');
    assert.equal(wrong.code, 2);
  });

  it('keeps customer contacts, drafts the customer notice, and writes post-mortems and SLA reports as files', async () => {
    const added = await json<{ email: string; receives: string[] }>(
      'instance',
      'contacts',
      'add',
      'acme-cli',
      'Ops@Acme.example',
      '--name',
      'Acme Ops',
      '--receives',
      'incidents,maintenances',
    );
    assert.deepEqual(added, { ...added, email: 'ops@acme.example', receives: ['incidents', 'maintenances'] });
    const badTopic = await roost(
      'instance',
      'contacts',
      'add',
      'acme-cli',
      'x@acme.example',
      '--name',
      'X',
      '--receives',
      'gossip',
    );
    assert.equal(badTopic.code, 2);
    assert.match(badTopic.stderr, /--receives/);
    const noName = await roost('instance', 'contacts', 'add', 'acme-cli', 'x@acme.example');
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /--name/);
    const notManager = await roost(
      'instance',
      'contacts',
      'add',
      'acme-cli',
      'nobody@roost.test',
      '--account-manager',
    );
    assert.equal(notManager.code, 3);
    const listed = await roost('instance', 'contacts', 'list', 'acme-cli');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /none assigned: every account manager is told/);
    assert.match(listed.stdout, /ops@acme\.example\s+Acme Ops\s+incidents,maintenances/);

    const incident = await json<{ id: string }>(
      'incident',
      'create',
      'Search is slow',
      '--instance',
      'acme-cli',
      '--what',
      'Search takes 8 s.',
      '--impacts',
      'Users wait.',
    );
    const draft = await roost('incident', 'tell-customer', incident.id, '--dry-run', '--eta', 'by 15:00 UTC');
    assert.equal(draft.code, 0, draft.stderr);
    assert.match(draft.stdout, /Subject: Incident on your service: Search is slow/);
    assert.match(draft.stdout, /The issue: Search takes 8 s\./);
    assert.match(draft.stdout, /Estimated resolution: by 15:00 UTC/);
    // No SMTP server in this set-up: said so, nothing recorded.
    const unsent = await roost('incident', 'tell-customer', incident.id);
    assert.equal(unsent.code, 1);
    assert.match(unsent.stderr, /no SMTP server configured/);
    const fromBadAlert = await roost('incident', 'create', '--from-alert', `alr_${'0'.repeat(26)}`);
    assert.equal(fromBadAlert.code, 3);
    const both = await roost('incident', 'create', 'A title', '--from-alert', `alr_${'0'.repeat(26)}`);
    assert.equal(both.code, 2);

    assert.equal((await roost('incident', 'resolve', incident.id, 'Index rebuilt.')).code, 0);
    const markdown = await roost('incident', 'postmortem', incident.id, '--format', 'markdown');
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^# Post-mortem: Search is slow/);
    const htmlFile = path.join(scratch.path, 'postmortem.html');
    assert.equal(
      (await roost('incident', 'postmortem', incident.id, '--format', 'html', '--output', htmlFile)).code,
      0,
    );
    assert.match(readFileSync(htmlFile, 'utf8'), /<h2>The impacts<\/h2>\s*<p>Users wait\.<\/p>/);
    const publish = await roost('incident', 'publish-postmortem', incident.id);
    assert.equal(publish.code, 0, publish.stderr);
    // Once: publishing again would announce and mail it a second time.
    const again = await roost('incident', 'publish-postmortem', incident.id);
    assert.equal(again.code, 4);
    assert.match(again.stderr, /already published/);
    if (existsSync(chromiumPath)) {
      const pdfFile = path.join(scratch.path, 'sla.pdf');
      const pdf = await roost(
        'sla',
        'report',
        'acme-cli',
        '--month',
        '2026-11',
        '--format',
        'pdf',
        '--output',
        pdfFile,
      );
      assert.equal(pdf.code, 0, pdf.stderr);
      assert.equal(readFileSync(pdfFile).subarray(0, 5).toString('latin1'), '%PDF-');
    }

    const removed = await roost('instance', 'contacts', 'remove', 'acme-cli', 'ops@acme.example');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await roost('instance', 'contacts', 'remove', 'acme-cli', 'ops@acme.example')).code, 3);
  });
});
