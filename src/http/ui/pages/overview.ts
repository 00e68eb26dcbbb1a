import { Hono } from 'hono';
import { html } from 'hono/html';
import { getUser } from '../../../auth/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { formatTime } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField } from '../layout.ts';
import { visibleNav } from '../nav.ts';
import { notice } from '../notices.ts';
import { sendPage } from '../respond.ts';

/** `/`: who is logged in, where to go, and the account's own controls. */
export function overviewPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', ui.page('authenticated'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const user = actor.kind === 'user' ? await getUser(ui.access, actor, actor.id) : undefined;
    const sections = visibleNav(actor).flatMap((group) => group.items.filter((item) => item.path !== '/'));
    const body = html`<h1>Overview</h1>
${notice(context.req.query('notice'))}
<p class="page-intro">Welcome${user ? html`, ${user.name}` : ''}. Roost runs one private stack per customer; this is where your team
watches and operates them.</p>
<h2 id="sections-heading">Sections</h2>
<ul class="cards" aria-labelledby="sections-heading">
  ${sections.map(
    (item) =>
      html`<li><a class="card" href="${item.path}"><span class="card-title">${item.label}</span><span class="card-text">${item.summary}</span></a></li>`,
  )}
</ul>
${
  user
    ? html`<h2>Your account</h2>
<div class="panel">
  <dl class="facts">
    <dt>Name</dt><dd>${user.name}</dd>
    <dt>Email</dt><dd>${user.email}</dd>
    <dt>Role</dt><dd>${user.role}</dd>
    <dt>Second factor</dt><dd>${
      user.totpEnabledAt
        ? html`<span class="badge ok">on</span> since ${formatTime(user.totpEnabledAt, ui.timeZone)} <a href="/enrol">Replace it</a>`
        : html`<span class="badge warn">off</span> <a href="/enrol">Set it up</a>`
    }</dd>
  </dl>
  <h3 class="subhead">Sessions</h3>
  <p class="muted">Lost a laptop, or logged in on a shared machine? End every session of your account, this one included.</p>
  <form method="post" action="/logout-everywhere" class="inline-form">
    ${csrfField(csrf)}
    <button type="submit" class="button secondary">Log out everywhere</button>
  </form>
</div>`
    : ''
}`;
    return sendPage(context, appPage({ title: 'Overview', actor, csrf, current: '/', body }));
  });

  return app;
}
