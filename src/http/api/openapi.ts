import { z } from 'zod';
import { type ApiRoute, pathParameters } from './route.ts';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: {
          type: 'string',
          enum: [
            'invalid_input',
            'invalid_config',
            'not_found',
            'conflict',
            'forbidden',
            'unauthenticated',
            'rate_limited',
            'unavailable',
            'internal',
            'payload_too_large',
            'unsupported_media_type',
          ],
        },
        message: { type: 'string' },
        details: { type: 'object' },
      },
    },
  },
} as const;

type JsonSchema = { properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };

/** The OpenAPI 3.1 document of the JSON API, generated from the route table's zod schemas. */
export function openApiDocument(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const input = z.toJSONSchema(route.input, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
    }) as JsonSchema;
    const inPath = pathParameters(route.path);
    const properties = input.properties ?? {};
    const required = new Set(input.required ?? []);
    const parameters: Record<string, unknown>[] = inPath.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: properties[name] ?? { type: 'string' },
    }));
    const rest = Object.entries(properties).filter(([name]) => !inPath.includes(name));
    const hasBody = route.method !== 'get' && route.method !== 'delete';
    if (!hasBody) {
      for (const [name, schema] of rest)
        parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
    const operation: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      tags: [route.tag],
      'x-roost-permission': route.permission,
      parameters,
      responses: {
        [String(route.status ?? 200)]:
          route.produces === 'ndjson'
            ? {
                description: 'one JSON object per line',
                content: { 'application/x-ndjson': { schema: { type: 'string' } } },
              }
            : {
                description: 'success',
                content: {
                  'application/json': {
                    schema: z.toJSONSchema(route.output, {
                      target: 'draft-2020-12',
                      io: 'output',
                      unrepresentable: 'any',
                    }),
                  },
                },
              },
        default: {
          description: 'error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
    if (hasBody) {
      const bodyRequired = [...required].filter((name) => !inPath.includes(name));
      operation.requestBody = {
        required: bodyRequired.length > 0,
        content: {
          'application/json': {
            schema: { ...input, properties: Object.fromEntries(rest), required: bodyRequired },
          },
        },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roost API',
      version,
      description:
        'The JSON API of Roost. Authenticate with `Authorization: Bearer <API token>`. Request bodies are JSON (`Content-Type: application/json`), at most 64 KiB; unknown fields are refused. Every error has the body `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas: { Error: errorBody },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (`rst_…`)' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'roost_session',
          description: 'browser session; unsafe methods also need the `X-CSRF-Token` header',
        },
      },
    },
  };
}
