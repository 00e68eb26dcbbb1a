import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, scratchDirectory } from './fixtures/cli.ts';

describe('roost monitor / alert / silence / oncall', () => {
  const scratch = scratchDirectory();
  const env = { ROOST_DATA_DIR: path.join(scratch.path, 'data') };
  const cli = (args: string[]) => runCli(args, { cwd: scratch.path, env });
  before(async () => {
    assert.equal((await cli(['migrate'])).code, 0);
  });
  after(() => scratch.remove());

  it('adds, lists and removes monitors; bad input names the field', async () => {
    const bad = await cli(['monitor', 'add', 'api', '--kind', 'http', '--target', 'not-a-url']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /settings\.url: an absolute http/);
    const badPath = await cli([
      'monitor',
      'add',
      'api',
      '--kind',
      'http',
      '--target',
      'http://127.0.0.1:9/',
      '--json-path',
      'status',
    ]);
    assert.match(badPath.stderr, /settings\.jsonPath: a JSON path/);
    const added = await cli([
      'monitor',
      'add',
      'api',
      '--kind',
      'http',
      '--target',
      'http://127.0.0.1:9/health',
      '--keyword',
      'ok',
      '--interval',
      '30',
      '--label',
      'team=ops',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const { monitor } = JSON.parse(added.stdout) as {
      monitor: { id: string; settings: { keyword: string } };
    };
    assert.equal(monitor.settings.keyword, 'ok');
    const badZone = await cli([
      'monitor',
      'add',
      'backup',
      '--kind',
      'heartbeat',
      '--cron',
      '0 2 * * *',
      '--cron-time-zone',
      'Mars/Base',
    ]);
    assert.match(badZone.stderr, /settings\.timeZone: an IANA time zone/);
    const heartbeat = await cli([
      'monitor',
      'add',
      'nightly backup',
      '--kind',
      'heartbeat',
      '--cron',
      '0 2 * * *',
    ]);
    assert.match(heartbeat.stdout, /push token \(shown once\): \S{20,}/);
    const listed = await cli(['monitor', 'list']);
    assert.match(listed.stdout, /^NAME\s+KIND\s+STATE/m);
    assert.match(listed.stdout, /api\s+http\s+unknown\s+30s/);
    assert.equal((await cli(['monitor', 'rm', monitor.id])).code, 0);
    assert.equal((await cli(['monitor', 'rm', monitor.id])).code, 3, 'not found');
  });

  it('silences with matchers, lists alerts, and says who is on call', async () => {
    const added = await cli([
      'silence',
      'add',
      '--match',
      'instance=ins_acme',
      '--match',
      'alertname=~down|forecast',
      '--duration',
      '60',
      '--comment',
      'planned upgrade',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const { silence } = JSON.parse(added.stdout) as { silence: { id: string; author: string } };
    assert.equal(silence.author, 'local');
    assert.match((await cli(['silence', 'list'])).stdout, /instance=ins_acme,alertname=~down\|forecast/);
    const badRegex = await cli([
      'silence',
      'add',
      '--match',
      'monitor=~(x',
      '--duration',
      '5',
      '--comment',
      'x',
    ]);
    assert.match(badRegex.stderr, /matchers\.0\.value: a valid regular expression/);
    assert.equal((await cli(['silence', 'expire', silence.id])).code, 0);
    assert.equal((await cli(['alert', 'list'])).code, 0);
    const now = await cli(['oncall', 'now']);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /^alerts go to: (support \(business hours\)|on-call)$/m);
  });
  it('adds, lists and removes nodes with their template monitors; reports name their field', async () => {
    const added = await cli([
      'node',
      'add',
      'front-9',
      '--address',
      '127.0.0.1',
      '--role',
      'front,staging',
      '--exporter',
      'http://127.0.0.1:9/metrics',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /monitor node front-9 tcp 443\n.*tcp 80\n.*tcp 22\n.*host metrics\n.*unresponsive/,
    );
    const bad = await cli(['node', 'add', 'x', '--address', '127.0.0.1', '--role', 'web']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /roles/);
    const listed = await cli(['node', 'list', '--json']);
    const { nodes } = JSON.parse(listed.stdout) as { nodes: Array<{ name: string; monitors: unknown[] }> };
    assert.deepEqual(
      nodes.map((node) => [node.name, node.monitors.length]),
      [['front-9', 5]],
    );
    const removed = await cli(['node', 'remove', 'front-9']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /node front-9 removed with 5 monitor\(s\)/);
    const week = await cli(['monitor', 'report', 'nobody', '--week', '2026-W99']);
    assert.equal(week.code, 2, week.stderr);
    assert.match(week.stderr, /week: expected an ISO week such as 2026-W47/);
    const missing = await cli(['monitor', 'report', 'nobody']);
    assert.match(missing.stderr, /no instance nobody/);
  });
});
