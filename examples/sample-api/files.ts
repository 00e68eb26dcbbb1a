import { createHash, randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from './app.ts';

// Uploads live in the database, never on the file system: the container's root is read-only and the
// database is what Roost backs up and restores.

const downloadChunkBytes = 1024 * 1024;
const multipartOverheadBytes = 64 * 1024;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** POST /files (multipart field `file`, or the raw body with `?name=`) and GET /files/:id. */
export function fileRoutes(deps: AppDeps, requireToken: MiddlewareHandler<AppEnv>): Hono<AppEnv> {
  const { config, database, logger } = deps;
  const routes = new Hono<AppEnv>();
  const tooLarge = { error: 'too_large', message: `uploads are limited to ${config.maxUploadBytes} bytes` };

  routes.post(
    '/',
    requireToken,
    bodyLimit({
      maxSize: config.maxUploadBytes + multipartOverheadBytes,
      onError: (c) => c.json(tooLarge, 413),
    }),
    async (c) => {
      const requestType = c.req.header('content-type') ?? '';
      let name: string;
      let contentType: string;
      let data: Buffer;
      if (requestType.toLowerCase().startsWith('multipart/form-data')) {
        const file = (await c.req.parseBody()).file;
        if (!(file instanceof File)) {
          return c.json({ error: 'invalid_input', message: 'the multipart body needs a "file" part' }, 400);
        }
        name = file.name;
        contentType = file.type;
        data = Buffer.from(await file.arrayBuffer());
      } else {
        name = c.req.query('name') ?? '';
        contentType = requestType;
        data = Buffer.from(await c.req.arrayBuffer());
      }
      if (data.length > config.maxUploadBytes) return c.json(tooLarge, 413);
      if (data.length === 0) return c.json({ error: 'invalid_input', message: 'the file is empty' }, 400);

      const stored = await database.insertFile({
        id: randomUUID(),
        name: cleanName(name),
        contentType: cleanContentType(contentType),
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        data,
      });
      logger.info('file_uploaded', {
        file_id: stored.id,
        size: stored.size,
        sha256: stored.sha256,
        by: c.get('jwtPayload').sub,
      });
      return c.json(stored, 201, { Location: `/files/${stored.id}` });
    },
  );

  routes.get('/:id', requireToken, async (c) => {
    const id = c.req.param('id');
    const file = uuid.test(id) ? await database.findFile(id) : undefined;
    if (!file) return c.json({ error: 'not_found' }, 404);
    // Read in chunks with substring() so a download holds one chunk in memory, not the whole file.
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (offset >= file.size) {
          controller.close();
          return;
        }
        const chunk = await database.readFileChunk(file.id, offset, downloadChunkBytes);
        if (!chunk || chunk.length === 0) {
          controller.error(new Error(`file ${file.id} changed during the download`));
          return;
        }
        offset += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return c.body(body, 200, {
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'Repr-Digest': `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`,
      ETag: `"${file.sha256}"`,
      // Uploaded HTML or SVG must never run as this origin's page.
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'private, no-cache',
    });
  });

  return routes;
}

function cleanName(name: string): string {
  const base = name.split(/[/\\]/).at(-1) ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const printable = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return printable.slice(0, 255) || 'upload';
}

function cleanContentType(type: string): string {
  const value = type.trim().toLowerCase();
  return value.length <= 200 && /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w-]+=("[^"]*"|[\w.+-]+))*$/.test(value)
    ? value
    : 'application/octet-stream';
}
