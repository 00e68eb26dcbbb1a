import { type PublicStatusDeps, postmortemPath, publicPostmortemPdf } from '../../status/index.ts';
import type { StatusCache } from './cache.ts';

const pdfPath = /^\/incidents\/(inc_[0-9a-z]{26})\/postmortem\.pdf$/;

/**
 * `/incidents/{id}/postmortem.pdf` of a status page: the PDF stored when the post-mortem was published, never
 * printed here (status processes have no Chromium). Answered only while the page shows that post-mortem,
 * the same rule as its HTML page, so a draft, another instance's incident or an unknown id gets the plain
 * 404. The ETag is the PDF's SHA-256 (a `304` reads nothing); recently served PDFs stay in memory, up to
 * `maxBytes` in all.
 */
export function postmortemPdfHandler(
  deps: Pick<PublicStatusDeps, 'store'>,
  cache: StatusCache,
  notFound: (request: Request) => Response,
  options: { maxBytes?: number } = {},
) {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const held = new Map<string, Buffer>();
  let heldBytes = 0;
  const hold = (sha256: string, body: Buffer) => {
    if (body.length > maxBytes || held.has(sha256)) return;
    held.set(sha256, body);
    heldBytes += body.length;
    // The least recently served go first.
    for (const [key, value] of held) {
      if (heldBytes <= maxBytes) break;
      held.delete(key);
      heldBytes -= value.length;
    }
  };
  const heldCopy = (sha256: string) => {
    const body = held.get(sha256);
    if (body) {
      held.delete(sha256);
      held.set(sha256, body);
    }
    return body;
  };

  return async (
    request: Request,
    slug: string,
    base: string,
    rest: string,
  ): Promise<Response | undefined> => {
    const id = pdfPath.exec(rest)?.[1];
    if (!id) return undefined;
    const documents = await cache.documents(slug, base);
    if (!documents?.has(postmortemPath(id))) return notFound(request);
    const pdf = await publicPostmortemPdf(deps, slug, id);
    if (!pdf) return notFound(request);
    const etag = `"${pdf.sha256}"`;
    const headers: Record<string, string> = {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="postmortem-${id}.pdf"`,
      // Printed again after an edit: the ETag tells, within a minute.
      'cache-control': 'public, max-age=60',
      etag,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    const ifNoneMatch = request.headers.get('if-none-match');
    if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag))
      return new Response(null, { status: 304, headers });
    if (request.method === 'HEAD')
      return new Response(null, { status: 200, headers: { ...headers, 'content-length': String(pdf.size) } });
    let body = heldCopy(pdf.sha256);
    if (!body) {
      body = await pdf.content();
      if (!body) return notFound(request);
      hold(pdf.sha256, body);
    }
    return new Response(body as unknown as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { ...headers, 'content-length': String(body.length) },
    });
  };
}
