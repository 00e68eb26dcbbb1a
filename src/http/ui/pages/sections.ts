import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AdminEnv } from '../../middleware/actor.ts';
import { alert } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage } from '../layout.ts';
import { navGroups } from '../nav.ts';
import { sendPage } from '../respond.ts';

/** Sections whose operations are not built yet: a real page saying what will be there. */
const upcoming: Record<string, string> = {
  '/logs':
    'Search across the central logs, the detection rules that watch them, and the findings and bans they raised.',
  '/security': 'Vulnerability scans, hardening checks, runtime events and the staged rollout of patches.',
  '/settings':
    'How this Roost is configured: time zone, business hours and holidays, notification channels and retention.',
};

export function sectionPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const items = navGroups
    .flatMap((group) => group.items)
    .filter((item) => Object.hasOwn(upcoming, item.path));
  for (const item of items) {
    app.get(item.path, ui.page(item.permission), (context) => {
      const actor = context.get('actor');
      const body = html`<h1>${item.label}</h1>
<p class="page-intro">${upcoming[item.path]}</p>
${alert('info', 'This section is not built yet. Its operations come in a later release of Roost.')}`;
      return sendPage(
        context,
        appPage({ title: item.label, actor, csrf: context.get('csrf'), current: item.path, body }),
      );
    });
  }
  return app;
}
