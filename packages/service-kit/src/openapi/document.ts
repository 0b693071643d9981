/**
 * The OpenAPI 3.1 document of one process: what every process serves (health, readiness,
 * metrics, this document), and each of its services' own paths. Schemas are read off the
 * io-ts codecs the routes decode with (contracts' SchemaSet), so the reference and the edges
 * cannot disagree; what no codec decodes is described by hand beside its route.
 */
import { ProblemDetails, SchemaSet } from '@newsroom/contracts';
import type { JsonSchema } from '@newsroom/contracts';
import type { ApiDescription, ApiPaths } from './operations.js';
import { jsonAnswer, mediaAnswer, pathParameter, problems } from './operations.js';

export const OPENAPI_PATH = '/openapi.json';
/** The version of the API the document describes (its paths are under /v1). */
export const API_VERSION = '1.0.0';
export const DOCS_PATH = '/docs';

/** The files of swagger-ui-dist the page uses, and only those: its demo page, its OAuth
 *  redirect page and its sources stay unserved. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'text/javascript',
  'favicon-32x32.png': 'image/png',
};

const readinessCheck: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    ok: { type: 'boolean' },
    degradesOnly: { const: true },
    error: { type: 'string' },
  },
  required: ['name', 'ok'],
  additionalProperties: false,
};

/** What createApp and the reference itself serve, in every process. */
const processPaths: ApiDescription = () => ({
  '/healthz': {
    get: {
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      responses: {
        '200': jsonAnswer('alive', {
          type: 'object',
          properties: { status: { const: 'ok' } },
          required: ['status'],
        }),
      },
    },
  },
  '/readyz': {
    get: {
      tags: ['operations'],
      summary: 'Readiness: the store, its seals, every processor and service check',
      description:
        '200 `ready`, or `degraded` when only checks that degrade (a failed seal) fail; 503 `not ready` otherwise.',
      responses: Object.fromEntries(
        ['200', '503'].map((status) => [
          status,
          jsonAnswer(status === '200' ? 'ready or degraded' : 'not ready', {
            type: 'object',
            properties: {
              status: { enum: status === '200' ? ['ready', 'degraded'] : ['not ready'] },
              checks: { type: 'array', items: readinessCheck },
            },
            required: ['status', 'checks'],
            additionalProperties: false,
          }),
        ]),
      ),
    },
  },
  '/metrics': {
    get: {
      tags: ['operations'],
      summary: 'Prometheus metrics of this process (text exposition format)',
      responses: { '200': mediaAnswer('the metrics', ['text/plain']) },
    },
  },
  [OPENAPI_PATH]: {
    get: {
      tags: ['operations'],
      summary: 'This document: every endpoint of this process, OpenAPI 3.1',
      responses: { '200': jsonAnswer('the OpenAPI document', { type: 'object' }) },
    },
  },
  [DOCS_PATH]: {
    get: {
      tags: ['operations'],
      summary: 'This document to browse (Swagger UI, served by the process itself)',
      responses: { '200': mediaAnswer('the page', ['text/html']) },
    },
  },
  [`${DOCS_PATH}/start.js`]: {
    get: {
      tags: ['operations'],
      summary: "The page's script: opens this document in Swagger UI",
      responses: { '200': mediaAnswer('the script', ['text/javascript']) },
    },
  },
  [`${DOCS_PATH}/assets/{file}`]: {
    get: {
      tags: ['operations'],
      summary: "Swagger UI's own files (swagger-ui-dist)",
      parameters: [
        pathParameter('file', { enum: Object.keys(DOCS_ASSETS) }, 'a file of swagger-ui-dist'),
      ],
      responses: {
        '200': mediaAnswer('the file', [...new Set(Object.values(DOCS_ASSETS))]),
        ...problems(404),
      },
    },
  },
});

export interface DocumentOptions {
  readonly title: string;
  readonly version: string;
  /** Each service's paths (`ServiceDefinition.api`). */
  readonly services: readonly ApiDescription[];
}

/**
 * What any operation may also answer, as app.ts does before or around every route: 400 (a
 * request without one Host), 413 (a body too large) and 415 (a body not JSON in UTF-8), even
 * to a GET that sends one, and 500. Only these: a status an operation does not list is a
 * mistake.
 */
const withCommonAnswers = (paths: ApiPaths): ApiPaths =>
  Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [
          method,
          {
            ...operation,
            responses: {
              ...problems(400, 413, 415, 500),
              ...(operation['responses'] as object),
            },
          },
        ]),
      ),
    ]),
  );

/** The document: OpenAPI 3.1, its schemas JSON Schema 2020-12. */
export const openApiDocument = (options: DocumentOptions): JsonSchema => {
  const schemas = new SchemaSet();
  const problem = schemas.add('ProblemDetails', schemas.of(ProblemDetails));
  const paths: ApiPaths = {};
  for (const describe of [processPaths, ...options.services]) {
    for (const [path, operations] of Object.entries(describe(schemas))) {
      for (const method of Object.keys(operations)) {
        if (paths[path]?.[method as 'get'] !== undefined)
          throw new Error(`${method.toUpperCase()} ${path} is described twice`);
      }
      paths[path] = { ...paths[path], ...operations };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      description:
        'The publication workflow of official news articles: commands, syndication and audit. Every error is application/problem+json (RFC 9457) with the failing field paths.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: withCommonAnswers(paths),
    components: {
      schemas: schemas.components,
      responses: {
        Problem: {
          description: 'RFC 9457 problem details, with the failing field paths',
          content: { 'application/problem+json': { schema: problem } },
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A signed JWT with a `sub` and a `role` claim (reporter, editor, publisher, auditor, admin). Where a route admits only some roles, its `x-roles` names them; a command admits any, and the decider judges the role against the article. `newsroom token --role <role> --sub <id>` mints one for development.',
        },
        auditSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'newsroom_audit',
          description:
            'The audit page: the cookie `POST /audit/session` sets from an auditor or admin token.',
        },
      },
    },
  };
};
