/**
 * Who did what and who asked what, in the API reference: everything one actor caused, from
 * the store's global log (`/v1/audit/actors/{actorId}`), and the audit's own log of the
 * requests made to it (`/v1/audit/requests`), each paged by `next`, their queries read off
 * the routes' codecs.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import {
  closedObject,
  jsonAnswer,
  pageOf,
  pathParameter,
  problems,
  queryParameters,
} from '@newsroom/service-kit';
import type { SchemaSet } from '@newsroom/contracts';
import { ActorQuery } from '../actors/routes.js';
import { AUDIT } from '../prefixes.js';
import { RequestsQuery } from '../requests/routes.js';
import { actorEntry, actorIdSchema, AUDITORS, TAGS, UTC_MILLIS } from './components.js';

export const peopleApi = (schemas: SchemaSet): ApiPaths => ({
  [`${AUDIT}/actors/{actorId}`]: {
    get: {
      tags: TAGS,
      operationId: 'auditActor',
      summary: 'Every event one actor caused, in the log order, paged by `next`',
      description:
        'The log is read from `cursor` (at most 10,000 events a request): `next` is where to go on, also when a page found fewer than `limit` of theirs; absent at the end of the log.',
      ...AUDITORS,
      parameters: [
        pathParameter('actorId', actorIdSchema(schemas), "the actor's id (a person, or `system`)"),
        ...queryParameters(schemas, ActorQuery),
      ],
      responses: {
        '200': jsonAnswer('the events they caused', {
          type: 'object',
          properties: {
            actorId: actorIdSchema(schemas),
            items: { type: 'array', items: actorEntry(schemas) },
            next: {
              type: 'string',
              pattern: '^\\d+\\.\\d+$',
              description: 'pass as `cursor` to go on; absent at the end of the log',
            },
          },
          required: ['actorId', 'items'],
          additionalProperties: false,
        }),
        ...problems(400, 401, 403, 404, 503),
      },
    },
  },
  [`${AUDIT}/requests`]: {
    get: {
      tags: TAGS,
      operationId: 'auditRequests',
      summary: "The audit's own log of who asked what, newest first (this request too)",
      ...AUDITORS,
      parameters: queryParameters(schemas, RequestsQuery),
      responses: {
        '200': jsonAnswer(
          'one page of the request log',
          pageOf(
            closedObject({
              id: { type: 'integer', minimum: 1 },
              at: UTC_MILLIS,
              actor: { type: 'string' },
              role: { type: 'string' },
              method: { type: 'string' },
              path: { type: 'string', description: 'the path and query, at most 2,000 long' },
              correlationId: { type: 'string' },
            }),
            'the path and query of the next page',
          ),
        ),
        ...problems(400, 401, 403, 503),
      },
    },
  },
});
