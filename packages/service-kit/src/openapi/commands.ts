/**
 * The API reference of a command service, read off its route table: every command's `POST`
 * (its body the route's own codec), and `GET /{articleId}`.
 */
import { ArticleStatus, ArticleView, articleEventTypes } from '@newsroom/contracts';
import type { ArticleCommandType, JsonSchema, SchemaSet } from '@newsroom/contracts';
import { SANE_CORRELATION_ID } from '../app.js';
import { IF_MATCH_REVISION } from '../http-commands.js';
import type { ApiPaths } from './operations.js';
import {
  ARTICLE_ID,
  bearer,
  jsonAnswer,
  openApiPath,
  problems,
  queryParameter,
  UUID,
} from './operations.js';

const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  description: 'the revision the command expects, as its ETag gives it: `"3"`',
  schema: { type: 'string', pattern: `${IF_MATCH_REVISION.source}|^\\s*\\*\\s*$` },
};
const PREFER = {
  name: 'Prefer',
  in: 'header',
  description: '`return=representation` answers the whole article too (RFC 7240)',
  schema: { type: 'string' },
};
const TRACE_HEADERS = [
  {
    name: 'X-Correlation-Id',
    in: 'header',
    description: 'kept in the events written, and echoed; a new one when absent',
    schema: { type: 'string', pattern: SANE_CORRELATION_ID.source },
  },
  {
    name: 'traceparent',
    in: 'header',
    description: 'W3C trace context, continued into event metadata and Kafka headers',
    schema: { type: 'string' },
  },
];
const ETAG = { description: 'the new revision', schema: { type: 'string' } };

const accepted = (schemas: SchemaSet): JsonSchema =>
  schemas.once('CommandAccepted', () => ({
    type: 'object',
    properties: {
      articleId: UUID,
      revision: { type: 'integer', minimum: 0 },
      status: schemas.of(ArticleStatus),
      events: { type: 'array', items: { enum: [...articleEventTypes] } },
      replayed: { type: 'boolean', description: 'a retry of a command already applied' },
      article: schemas.of(ArticleView),
    },
    required: ['articleId', 'revision', 'status', 'events', 'replayed'],
    additionalProperties: false,
  }));

/** What each command does, as the reference's one line says it. */
const SUMMARIES: { readonly [T in ArticleCommandType]: string } = {
  CreateDraft: 'Create a draft from its content (reporters)',
  ReviseDraft: "Replace the draft's content, with a note",
  SubmitForReview: 'Submit the draft for review',
  WithdrawSubmission: 'Take a submission back before it is reviewed',
  DiscardDraft: 'Discard the draft (final)',
  AssignReviewer: 'Assign the editor who reviews it',
  RequestChanges: 'Send it back with comments, each on a block if given',
  ApproveArticle: 'Approve it, or its pending correction (not by anyone who wrote the text)',
  RejectArticle: 'Reject it, or its pending correction, with a reason',
  PublishArticle: 'Publish it now, at a time, or under embargo until a time',
  ReleaseScheduledPublication: 'Release a due schedule or embargo (the scheduler only)',
  CancelSchedule: 'Cancel a scheduled or embargoed publication',
  CorrectArticle: 'Draft a correction of the published text, with its public notice',
  PublishCorrection: 'Publish the approved correction as the next version',
  UnpublishArticle: 'Take it off the public channels, with a reason',
  RetractArticle: 'Retract it (final), with a reason and a public notice',
};

/** The article as read back: `GET <prefix>/{articleId}`. */
export const articleReadSchema = (schemas: SchemaSet): JsonSchema =>
  schemas.once('ArticleRead', () => ({
    type: 'object',
    properties: {
      articleId: UUID,
      revision: { type: 'integer', minimum: 0 },
      status: schemas.of(ArticleStatus),
      article: schemas.of(ArticleView),
    },
    required: ['articleId', 'revision', 'status', 'article'],
    additionalProperties: false,
  }));

export type CommandRow = readonly [
  path: string,
  type: ArticleCommandType,
  creates: boolean,
  body: Parameters<SchemaSet['of']>[0],
];

/** Every command of one service, and its article view. */
export const commandPaths =
  (service: string, prefix: string, rows: readonly CommandRow[]) =>
  (schemas: SchemaSet): ApiPaths => {
    const answer = accepted(schemas);
    const paths: ApiPaths = {};
    for (const [path, type, creates, body] of rows) {
      paths[openApiPath(`${prefix}${path}`)] = {
        post: {
          tags: [service],
          operationId: type,
          summary: SUMMARIES[type],
          description: `The ${type} command. The decider judges the caller's role and the article's state; a refusal is problem+json with the rejection.`,
          ...bearer(),
          parameters: [
            ...(path.includes(':articleId') ? [ARTICLE_ID] : []),
            IF_MATCH,
            PREFER,
            ...TRACE_HEADERS,
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.of(body) } },
          },
          responses: {
            [creates ? '201' : '200']: jsonAnswer(
              creates
                ? 'created (Location names the article)'
                : 'accepted, or a retry answered again',
              answer,
              {
                ETag: ETAG,
                ...(creates ? { Location: { schema: { type: 'string' } } } : {}),
              },
            ),
            ...(creates
              ? { '200': jsonAnswer('a retry of the creation, answered again', answer) }
              : {}),
            ...problems(400, 401, 403, 404, 409, 412, 422, 503),
          },
        },
      };
    }
    paths[openApiPath(`${prefix}/:articleId`)] = {
      get: {
        tags: [service],
        operationId: `${service}Article`,
        summary: 'The article as the newsroom has it, now or as of a revision or instant',
        ...bearer(),
        parameters: [
          ARTICLE_ID,
          queryParameter(
            'revision',
            { type: 'string', pattern: '^\\d{1,15}$' },
            'as of this revision',
          ),
          queryParameter(
            'at',
            { type: 'string', format: 'date-time' },
            'as of this instant (RFC 3339)',
          ),
        ],
        responses: {
          '200': jsonAnswer('the article', articleReadSchema(schemas), { ETag: ETAG }),
          ...problems(400, 401, 403, 404),
        },
      },
    };
    return paths;
  };
