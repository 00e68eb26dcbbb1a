import type { Context } from 'hono';
import { isRoostError } from '../../core/errors.ts';
import {
  confirmSubscription,
  publicPageName,
  requestSubscription,
  type SubscriptionDeps,
  unsubscribe,
} from '../../status/index.ts';
import { clientIp } from '../middleware/actor.ts';
import { createLimiter } from './limiter.ts';
import { messagePage, statusPagePolicy } from './page.ts';

const headers = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': statusPagePolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function page(markup: ReturnType<typeof messagePage>, status = 200): Promise<Response> {
  return new Response(String(await markup), { status, headers });
}

/** Form fields of a small urlencoded body; anything else reads as empty. */
async function formOf(context: Context): Promise<URLSearchParams> {
  const type = context.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const text = await context.req.text();
  return new URLSearchParams(text.slice(0, 4_096));
}

/**
 * The subscription pages of every status page: ask (double opt-in), confirm, unsubscribe. Links in mails
 * open a page with a button that posts, so a mail scanner that follows links changes nothing; the
 * `List-Unsubscribe-Post` one-click header posts straight to the unsubscribe address.
 */
export function subscriptionHandlers(deps: SubscriptionDeps | undefined) {
  const perIp = createLimiter({ limit: 10, windowMs: 10 * 60_000 });
  const perAddress = createLimiter({ limit: 3, windowMs: 60 * 60_000 });

  return async (
    context: Context,
    slug: string,
    base: string,
    rest: string,
  ): Promise<Response | undefined> => {
    const method = context.req.method;
    if (!['/subscribe', '/subscribe/confirm', '/unsubscribe'].includes(rest)) return undefined;
    if (method !== 'POST' && (method !== 'GET' || rest === '/subscribe')) return undefined;
    const name = deps && (await publicPageName(deps, slug));
    if (!deps || !name) return undefined;
    const ip = clientIp(context);
    const form = method === 'POST' ? await formOf(context) : new URLSearchParams();
    const token = form.get('token') ?? context.req.query('token') ?? '';
    const refused = (error: unknown) => {
      if (!isRoostError(error, 'invalid_input')) throw error;
      return page(
        messagePage(
          name,
          base,
          'This link is not valid',
          'It may have expired. Ask for a new one from the status page.',
        ),
        400,
      );
    };

    if (rest === '/subscribe') {
      const email = (form.get('email') ?? '').trim().toLowerCase().slice(0, 320);
      if (!perIp.allow(ip ?? 'unknown') || (email !== '' && !perAddress.allow(`${slug}\n${email}`)))
        return page(messagePage(name, base, 'Too many requests', 'Try again in a while.'), 429);
      try {
        await requestSubscription(deps, { slug, email, components: form.getAll('component'), ip });
      } catch (error) {
        if (!isRoostError(error, 'invalid_input')) throw error;
        return page(
          messagePage(name, base, 'That address does not look right', 'Check it and try again.'),
          400,
        );
      }
      // The same answer whether the address is new, pending or subscribed already.
      return page(
        messagePage(
          name,
          base,
          'Check your inbox',
          'If the address can receive mail, a message is on its way: follow its link to confirm. Nothing else is sent until you do.',
        ),
      );
    }
    if (rest === '/subscribe/confirm') {
      if (method === 'GET')
        return page(
          messagePage(
            name,
            base,
            'Confirm your subscription',
            `You will receive ${name} status updates by mail.`,
            { action: `${base}/subscribe/confirm`, token, button: 'Confirm' },
          ),
        );
      try {
        await confirmSubscription(deps, { slug, token, ip });
      } catch (error) {
        return refused(error);
      }
      return page(messagePage(name, base, 'You are subscribed', 'Every mail carries a link to unsubscribe.'));
    }
    if (method === 'GET')
      return page(
        messagePage(name, base, 'Unsubscribe', `Stop receiving ${name} status updates at this address.`, {
          action: `${base}/unsubscribe`,
          token,
          button: 'Unsubscribe',
        }),
      );
    try {
      await unsubscribe(deps, { slug, token, ip });
    } catch (error) {
      return refused(error);
    }
    return page(
      messagePage(name, base, 'You are unsubscribed', 'No more mail will be sent to this address.'),
    );
  };
}
