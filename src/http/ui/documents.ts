import type { Context } from 'hono';
import type { RenderedDocument } from '../../incidents/index.ts';
import type { AdminEnv } from '../middleware/actor.ts';

/**
 * A download (post-mortem, SLA report): PDF and HTML open in the browser, the rest saves as a file. The
 * documents carry their own styles and no script, so the policy allows inline styles and nothing else.
 */
export function sendDocument(context: Context<AdminEnv>, document: RenderedDocument): Response {
  const inline = /^(application\/pdf|text\/html)/.test(document.contentType);
  return context.body(new Uint8Array(document.content), 200, {
    'content-type': document.contentType,
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${document.filename.replace(/[^\w.-]/g, '_')}"`,
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'same-origin',
  });
}
