/**
 * The record checked and carried away, in the API reference: `/v1/audit/verify` (one article,
 * or the whole store: a report whose `ok` says whether the record holds, its bigints as
 * decimal texts) and `/v1/audit/export` (the log as NDJSON, each line one of the export's
 * codec, export/lines.ts).
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { jsonAnswer, mediaAnswer, problems, queryParameters } from '@newsroom/service-kit';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { ExportLine } from '../export/lines.js';
import { ExportQuery } from '../export/routes.js';
import { AUDIT } from '../prefixes.js';
import { VerifyQuery } from '../verify/routes.js';
import { AUDITORS, COUNT, DECIMAL, positionSchema, TAGS, UTC_MILLIS, UUID } from './components.js';

const TEXT = { type: 'string' };

/** verify/article.ts `ArticleVerification`. */
const articleVerification = (): JsonSchema => ({
  type: 'object',
  description: "one article: its chain, and each event proved in the latest head's tree",
  properties: {
    articleId: UUID,
    ok: { type: 'boolean' },
    events: COUNT,
    treeHead: {
      anyOf: [
        {
          type: 'object',
          properties: {
            number: { type: 'integer', minimum: 1 },
            treeSize: COUNT,
            time: UTC_MILLIS,
          },
          required: ['number', 'treeSize', 'time'],
          additionalProperties: false,
        },
        { type: 'null' },
      ],
      description: 'the latest signed head; null before the first, or at a bad event',
    },
    included: { ...COUNT, description: 'events proved to be in the signed tree' },
    unsealed: { ...COUNT, description: 'events the latest head does not cover yet' },
    violation: {
      oneOf: [
        {
          type: 'object',
          properties: {
            eventId: UUID,
            revision: DECIMAL,
            reason: TEXT,
            expected: TEXT,
            found: TEXT,
          },
          required: ['eventId', 'revision', 'reason'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { treeHead: { type: 'integer', minimum: 1 }, reason: TEXT },
          required: ['treeHead', 'reason'],
          additionalProperties: false,
        },
      ],
    },
  },
  required: ['articleId', 'ok', 'events', 'treeHead', 'included', 'unsealed'],
  additionalProperties: false,
});

/** event-store's `IntegrityViolation`, bigints as decimal texts. */
const storeViolation = (schemas: SchemaSet): JsonSchema => {
  const found = { expected: TEXT, found: TEXT, reason: TEXT };
  return {
    oneOf: [
      {
        type: 'object',
        properties: {
          kind: { const: 'event' },
          streamName: TEXT,
          revision: DECIMAL,
          eventId: UUID,
          position: positionSchema(schemas),
          ...found,
        },
        required: ['kind', 'streamName', 'revision', 'eventId', 'position', ...Object.keys(found)],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: { kind: { const: 'seal' }, sealNumber: DECIMAL, ...found },
        required: ['kind', 'sealNumber', ...Object.keys(found)],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: { kind: { const: 'tree-head' }, number: { type: 'integer' }, ...found },
        required: ['kind', 'number', ...Object.keys(found)],
        additionalProperties: false,
      },
    ],
  };
};

/** verify/store.ts `StoreVerification`: the store's report and the tree heads checked. */
const storeVerification = (schemas: SchemaSet): JsonSchema[] => [
  {
    type: 'object',
    description: 'the whole store, and it holds',
    properties: {
      ok: { const: true },
      streams: COUNT,
      events: COUNT,
      seals: COUNT,
      unsealedEvents: { ...COUNT, description: 'events after the last seal' },
      lastPosition: positionSchema(schemas),
      treeHeads: { ...COUNT, description: 'tree heads checked' },
    },
    required: ['ok', 'streams', 'events', 'seals', 'unsealedEvents', 'lastPosition', 'treeHeads'],
    additionalProperties: false,
  },
  {
    type: 'object',
    description: 'the whole store, up to its first bad event, seal or tree head',
    properties: {
      ok: { const: false },
      events: { ...COUNT, description: 'events checked before the violation' },
      violation: storeViolation(schemas),
      treeHeads: COUNT,
    },
    required: ['ok', 'events', 'violation', 'treeHeads'],
    additionalProperties: false,
  },
];

const verifyReport = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditVerification', () => ({
    oneOf: [articleVerification(), ...storeVerification(schemas)],
  }));

export const integrityApi = (schemas: SchemaSet): ApiPaths => ({
  [`${AUDIT}/verify`]: {
    get: {
      tags: TAGS,
      operationId: 'auditVerify',
      summary: 'Verify one article (`articleId`) or the whole store: `ok`, or the first violation',
      description:
        'Always 200 once the check ran: `ok` says whether the record holds, `violation` names the first bad event or tree head and why.',
      ...AUDITORS,
      parameters: queryParameters(schemas, VerifyQuery),
      responses: {
        '200': jsonAnswer('the report', verifyReport(schemas)),
        ...problems(400, 401, 403, 404, 503),
      },
    },
  },
  [`${AUDIT}/export`]: {
    get: {
      tags: TAGS,
      operationId: 'auditExport',
      summary: 'The log from a position as NDJSON: events, tree heads and proofs, streamed',
      description:
        'A header line, every event as stored (its body the exact text its hash covers), each tree head once the log reaches its size (with a consistency proof), and an end line with the counts: a cut-off file has none. `newsroom audit verify-export` checks it offline.',
      ...AUDITORS,
      parameters: queryParameters(schemas, ExportQuery),
      responses: {
        '200': mediaAnswer('the export', ['application/x-ndjson'], {
          ...schemas.of(ExportLine),
          description: 'each line is one line of the export: header, event, tree-head or end',
        }),
        ...problems(400, 401, 403, 503),
      },
    },
  },
});
