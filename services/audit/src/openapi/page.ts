/**
 * The audit web page at /audit in the API reference: its HTML pages (find an article, its
 * page, a diff of two versions, the store verified), their stylesheet and sign-in script, and
 * the sign-in itself, which puts the token in a cookie (page/session.ts). Without a valid
 * cookie a page is the sign-in page (401); for other roles the same page, 403.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { ARTICLE_ID, mediaAnswer, problems, queryParameter } from '@newsroom/service-kit';
import type { JsonSchema } from '@newsroom/contracts';
import { AUDIT_PAGE } from '../prefixes.js';
import { AUDITORS, SIDE_TEXT, TAGS } from './components.js';

const HTML = ['text/html'];

const SIGNED_IN =
  'Signed in by the `newsroom_audit` cookie that `POST /audit/session` sets (it holds an auditor or admin token), not by an Authorization header.';

/** What every page answers besides its own: the sign-in page, and a 503 when the request
 *  cannot be recorded in the audit request log (problem+json). */
const guarded = (responses: Record<string, JsonSchema>): Record<string, JsonSchema> => ({
  ...responses,
  '401': mediaAnswer('the sign-in page: no cookie, or its token is not valid', HTML),
  '403': mediaAnswer('the sign-in page: the token is neither an auditor nor an admin', HTML),
  ...problems(503),
});

const page = (operationId: string, summary: string, parameters: readonly JsonSchema[]) => ({
  tags: TAGS,
  operationId,
  summary,
  description: SIGNED_IN,
  // Signed in by the session cookie POST /audit/session sets, for the roles of the API's.
  security: [{ auditSession: [] }],
  'x-roles': AUDITORS['x-roles'],
  ...(parameters.length === 0 ? {} : { parameters }),
});

const TOKEN_BODY: JsonSchema = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { token: { type: 'string', maxLength: 8192, description: 'a bearer token' } },
        required: ['token'],
      },
    },
  },
};

export const pageApi = (): ApiPaths => ({
  [AUDIT_PAGE]: {
    get: {
      ...page('auditPageFind', 'The audit page: find an article by id or headline', [
        queryParameter('q', { type: 'string' }, 'an article id or a piece of a headline'),
      ]),
      responses: guarded({ '200': mediaAnswer('the page, with what it found', HTML) }),
    },
  },
  [`${AUDIT_PAGE}/verify`]: {
    get: {
      ...page('auditPageVerify', 'The audit page: the whole store verified', []),
      responses: guarded({ '200': mediaAnswer('the report', HTML) }),
    },
  },
  [`${AUDIT_PAGE}/articles/{articleId}`]: {
    get: {
      ...page('auditPageArticle', "An article's page: status, integrity, timeline", [ARTICLE_ID]),
      responses: guarded({
        '200': mediaAnswer('the article page', HTML),
        '404': mediaAnswer('no such article', HTML),
      }),
    },
  },
  [`${AUDIT_PAGE}/articles/{articleId}/diff`]: {
    get: {
      ...page('auditPageDiff', 'Two versions of an article side by side, changed words marked', [
        ARTICLE_ID,
        queryParameter('from', SIDE_TEXT, 'a revision (`7`) or a published version (`v2`)'),
        queryParameter('to', SIDE_TEXT, 'a revision (`7`) or a published version (`v2`)'),
      ]),
      responses: guarded({
        '200': mediaAnswer('the diff page', HTML),
        '400': mediaAnswer('a page asking for two versions', HTML),
        '404': mediaAnswer('no such article, revision or published version', HTML),
      }),
    },
  },
  [`${AUDIT_PAGE}/assets/audit.css`]: {
    get: {
      tags: TAGS,
      operationId: 'auditPageStylesheet',
      summary: "The audit page's stylesheet",
      responses: { '200': mediaAnswer('the stylesheet', ['text/css']) },
    },
  },
  [`${AUDIT_PAGE}/assets/login.js`]: {
    get: {
      tags: TAGS,
      operationId: 'auditPageLoginScript',
      summary: "The sign-in page's script: posts the token to /audit/session",
      responses: { '200': mediaAnswer('the script', ['text/javascript']) },
    },
  },
  [`${AUDIT_PAGE}/session`]: {
    post: {
      tags: TAGS,
      operationId: 'auditSignIn',
      summary: 'Sign in to the page: the token kept in an HttpOnly cookie scoped to /audit',
      description:
        'The cookie lasts until the token expires. The sign-in is recorded in the audit request log (a 503 when it cannot be).',
      requestBody: TOKEN_BODY,
      responses: {
        '204': { description: 'signed in: `Set-Cookie` holds the token' },
        ...problems(400, 401, 503),
      },
    },
  },
  [`${AUDIT_PAGE}/session/end`]: {
    post: {
      tags: TAGS,
      operationId: 'auditSignOut',
      summary: 'Sign out of the page: the cookie cleared',
      responses: { '204': { description: 'signed out' } },
    },
  },
});
