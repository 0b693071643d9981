/**
 * The audit's reads of articles in the API reference, straight from the store: an article's
 * history (JSON or NDJSON), its state as of an instant or revision, what the public saw at an
 * instant, and a word-level diff of two of its versions (JSON, plain text or HTML).
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { ARTICLE_ID, jsonAnswer, problems, queryParameter } from '@newsroom/service-kit';
import {
  ArticleStatus,
  ArticleView,
  CorrectionRecordView,
  IsoDateTime,
  RecordedContent,
} from '@newsroom/contracts';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { AUDIT } from '../prefixes.js';
import { AUDITORS, COUNT, historyEntry, SIDE_TEXT, TAGS, UUID } from './components.js';

const ARTICLES = `${AUDIT}/articles/{articleId}`;

const REVISION = queryParameter(
  'revision',
  { type: 'string', pattern: '^\\d{1,15}$' },
  'as of this revision',
);
const at = (schemas: SchemaSet, description: string): JsonSchema =>
  queryParameter('at', schemas.of(IsoDateTime), `${description} (RFC 3339, years 1 to 9999)`);

/** A side of a diff: `7` (a revision) or `v2` (a published version). */
const SIDES = [
  queryParameter('from', SIDE_TEXT, 'a revision (`7`) or a published version (`v2`)', true),
  queryParameter('to', SIDE_TEXT, 'a revision (`7`) or a published version (`v2`)', true),
];

const side: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { revision: COUNT },
      required: ['revision'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { version: { type: 'integer', minimum: 1 } },
      required: ['version'],
      additionalProperties: false,
    },
  ],
};

const contentDiff = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditContentDiff', () => ({
    type: 'object',
    properties: {
      articleId: UUID,
      from: side,
      to: side,
      changed: {
        type: 'array',
        description: 'the fields that differ, in document order',
        items: {
          type: 'object',
          properties: {
            path: { type: 'string', description: '`headline`, `blocks.2.text`...' },
            parts: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  op: { enum: ['equal', 'delete', 'insert'] },
                  text: { type: 'string' },
                },
                required: ['op', 'text'],
                additionalProperties: false,
              },
            },
          },
          required: ['path', 'parts'],
          additionalProperties: false,
        },
      },
      unchanged: { ...COUNT, description: 'how many fields are the same on both sides' },
    },
    required: ['articleId', 'from', 'to', 'changed', 'unchanged'],
    additionalProperties: false,
  }));

/** What the public saw (domain's publicView): the published text, a tombstone, or null. */
const publicView = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditPublicView', () => ({
    oneOf: [
      {
        type: 'object',
        properties: {
          kind: { const: 'published' },
          articleId: UUID,
          version: { type: 'integer', minimum: 1 },
          content: schemas.of(RecordedContent),
          firstPublishedAt: schemas.of(IsoDateTime),
          updatedAt: schemas.of(IsoDateTime),
          corrections: { type: 'array', items: schemas.of(CorrectionRecordView) },
        },
        required: [
          'kind',
          'articleId',
          'version',
          'content',
          'firstPublishedAt',
          'updatedAt',
          'corrections',
        ],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          kind: { const: 'retracted' },
          articleId: UUID,
          version: COUNT,
          notice: { type: 'string' },
          retractedAt: schemas.of(IsoDateTime),
        },
        required: ['kind', 'articleId', 'version', 'notice', 'retractedAt'],
        additionalProperties: false,
      },
      { type: 'null' },
    ],
  }));

export const articlesApi = (schemas: SchemaSet): ApiPaths => {
  const entry = historyEntry(schemas);
  return {
    [`${ARTICLES}/history`]: {
      get: {
        tags: TAGS,
        operationId: 'auditHistory',
        summary: "Every event of the article's stream as stored, unreadable ones too",
        description:
          'JSON, or NDJSON (one event a line) for `Accept: application/x-ndjson`. Read from the store, never a read model.',
        ...AUDITORS,
        parameters: [ARTICLE_ID],
        responses: {
          '200': {
            description: 'the history, oldest first',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    articleId: UUID,
                    revision: { ...COUNT, description: "the last event's revision" },
                    events: { type: 'array', items: entry },
                  },
                  required: ['articleId', 'revision', 'events'],
                  additionalProperties: false,
                },
              },
              'application/x-ndjson': {
                schema: { ...entry, description: 'each line is one event of the history' },
              },
            },
          },
          ...problems(401, 403, 404, 503),
        },
      },
    },
    [`${ARTICLES}/state`]: {
      get: {
        tags: TAGS,
        operationId: 'auditState',
        summary: 'The article as the newsroom had it at an instant or revision (default now)',
        ...AUDITORS,
        parameters: [ARTICLE_ID, REVISION, at(schemas, 'as of this instant')],
        responses: {
          '200': jsonAnswer('the article then', {
            type: 'object',
            properties: {
              articleId: UUID,
              asOf: {
                type: 'object',
                description: 'the `at` and `revision` asked for',
                properties: { at: schemas.of(IsoDateTime), revision: COUNT },
                additionalProperties: false,
              },
              revision: COUNT,
              recordedAt: {
                type: ['string', 'null'],
                format: 'date-time',
                description: 'when its last event then was recorded',
              },
              status: schemas.of(ArticleStatus),
              article: schemas.of(ArticleView),
            },
            required: ['articleId', 'asOf', 'revision', 'recordedAt', 'status', 'article'],
            additionalProperties: false,
          }),
          ...problems(400, 401, 403, 404, 500, 503),
        },
      },
    },
    [`${ARTICLES}/public`]: {
      get: {
        tags: TAGS,
        operationId: 'auditPublic',
        summary: 'What the public saw of the article at an instant (default now)',
        description: 'Asked by `at` alone: a `revision` is a 400.',
        ...AUDITORS,
        parameters: [ARTICLE_ID, at(schemas, 'at this instant, default now')],
        responses: {
          '200': jsonAnswer('what was public then: null when nothing was', {
            type: 'object',
            properties: {
              articleId: UUID,
              at: { type: 'string', description: 'the instant asked for, or now' },
              revision: { ...COUNT, description: 'the last revision recorded by then' },
              public: publicView(schemas),
            },
            required: ['articleId', 'at', 'revision', 'public'],
            additionalProperties: false,
          }),
          ...problems(400, 401, 403, 404, 500, 503),
        },
      },
    },
    [`${ARTICLES}/diff`]: {
      get: {
        tags: TAGS,
        operationId: 'auditDiff',
        summary: "Two versions of the article's text compared word by word",
        description:
          'JSON, plain text (`[-deleted-]{+inserted+}`) for `Accept: text/plain`, or an HTML page for `Accept: text/html`.',
        ...AUDITORS,
        parameters: [ARTICLE_ID, ...SIDES],
        responses: {
          '200': {
            description: 'the diff',
            content: {
              'application/json': { schema: contentDiff(schemas) },
              'text/plain': { schema: { type: 'string' } },
              'text/html': { schema: { type: 'string' } },
            },
          },
          ...problems(400, 401, 403, 404, 500, 503),
        },
      },
    },
  };
};
