import { Hono } from 'hono';
import { logout, revokeAllSessions } from '../../../auth/index.ts';
import { type AdminEnv, clientIp } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import type { Ui } from '../context.ts';
import { readForm, seeOther } from '../respond.ts';
import { clearSessionCookie } from '../session-cookie.ts';

/** `POST /logout` ends this session; `POST /logout-everywhere` every session of the person. */
export function logoutPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.post('/logout', async (context) => {
    const actor = context.get('actor');
    const sessionToken = context.get('sessionToken');
    if (actor.kind === 'user' && sessionToken) {
      const form = await readForm(context);
      checkRequestCsrf(context, actor, form.get('_csrf'));
      await logout(ui.access, { sessionToken, ip: clientIp(context) });
    }
    clearSessionCookie(context);
    return seeOther(context, '/login?notice=logged-out');
  });

  app.post('/logout-everywhere', async (context) => {
    const actor = context.get('actor');
    if (actor.kind !== 'user' || !context.get('sessionToken')) return seeOther(context, '/login');
    const form = await readForm(context);
    checkRequestCsrf(context, actor, form.get('_csrf'));
    await revokeAllSessions(ui.access, actor, actor.id);
    clearSessionCookie(context);
    return seeOther(context, '/login?notice=logged-out-everywhere');
  });

  return app;
}
