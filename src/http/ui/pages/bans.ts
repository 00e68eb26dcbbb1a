import { Hono } from 'hono';
import { html } from 'hono/html';
import { type Actor, can } from '../../../auth/actor.ts';
import { liftBan, listBans } from '../../../auth/bans.ts';
import type { Ban } from '../../../auth/throttle-types.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { formatTime, postButton } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, type Markup } from '../layout.ts';
import { notice } from '../notices.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
function ordinal(value: number): string {
  const tens = value % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][value % 10] ?? 'th');
  return `${value}${suffix}`;
}

function state(ban: Ban, now: Date): Markup {
  if (ban.liftedAt) return html`<span class="badge">lifted</span>`;
  if (ban.expiresAt <= now) return html`<span class="badge">expired</span>`;
  return html`<span class="badge bad">active</span>`;
}

function banTable(
  bans: Ban[],
  actor: Actor,
  csrf: string | null,
  now: Date,
  timeZone: string,
  all: boolean,
): Markup {
  if (bans.length === 0) {
    return html`<p class="empty panel">${all ? 'No ban was ever made.' : 'Nobody is banned right now.'}</p>`;
  }
  const mayLift = can(actor, 'bans:write');
  return html`<div class="table-wrap"><table>
  <caption>${all ? 'All bans' : 'Bans in force'}, newest first (times in ${timeZone})</caption>
  <thead><tr>
    <th scope="col">Subject</th><th scope="col">Reason</th><th scope="col">Offence</th>
    <th scope="col">Since</th><th scope="col">Until</th><th scope="col">State</th>${mayLift ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}
  </tr></thead>
  <tbody>
  ${bans.map((ban) => {
    const active = !ban.liftedAt && ban.expiresAt > now;
    return html`<tr>
    <th scope="row"><code>${ban.subject}</code><span class="cell-sub">${ban.subjectKind === 'ip' ? 'IP address' : 'account'}</span></th>
    <td>${ban.reason}</td>
    <td>${ordinal(ban.offence)}</td>
    <td class="nowrap">${formatTime(ban.createdAt, timeZone, 'compact')}</td>
    <td class="nowrap">${formatTime(ban.expiresAt, timeZone, 'compact')}</td>
    <td>${state(ban, now)}</td>
    ${
      mayLift
        ? html`<td class="actions-cell">${
            active
              ? postButton({
                  action: `/bans/${encodeURIComponent(ban.id)}/lift`,
                  csrf,
                  label: 'Lift',
                  accessibleLabel: `Lift the ban on ${ban.subject}`,
                  kind: 'secondary',
                  small: true,
                })
              : ''
          }</td>`
        : ''
    }
  </tr>`;
  })}
  </tbody>
</table></div>`;
}

/** `/bans`: addresses and accounts refused after failed log-ins; lifting for `bans:write`. */
export function banPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/bans', ui.page('bans:read'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const all = context.req.query('show') === 'all';
    const bans = await listBans(ui.access, actor, all ? {} : { active: true });
    const now = ui.deps.clock.now();
    const body = html`<h1>Bans</h1>
<p class="page-intro">After ${ui.deps.config.auth.maxFailures} failed log-ins within ${ui.deps.config.auth.findMinutes} minutes, an IP
address or an account is refused for ${ui.deps.config.auth.banMinutes} minutes, doubled for each repeat within a day.</p>
${notice(context.req.query('notice'))}
<p>${all ? html`<a href="/bans">Show only bans in force</a>` : html`<a href="/bans?show=all">Show all bans, including expired and lifted ones</a>`}</p>
${banTable(bans, actor, csrf, now, ui.timeZone, all)}`;
    return sendPage(context, appPage({ title: 'Bans', actor, csrf, current: '/bans', body }));
  });

  app.post('/bans/:id/lift', ui.page('bans:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    await liftBan(ui.access, actor, context.req.param('id'));
    return seeOther(context, '/bans?notice=ban-lifted');
  });

  return app;
}
