/**
 * `/v1/feeds/articles` and `/v1/feeds/ninjs` in the API reference: what is public now, as
 * JSON and as ninjs documents, paged by the public-articles query (its parameters read off
 * that codec). Public: no token.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import {
  ARTICLE_ID,
  jsonAnswer,
  pathParameter,
  problems,
  queryParameters,
} from '@newsroom/service-kit';
import { ProblemDetails } from '@newsroom/contracts';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { NINJS_TYPE } from '../ninjs/routes.js';
import { PublicArticlesQuery } from '../public-articles/query.js';
import { mediaOf, NEXT_CURSOR, ninjsDocument, publicArticle, UTC_MILLIS } from './components.js';

const TAGS = ['syndication'];

const page = (items: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { items: { type: 'array', items }, next: NEXT_CURSOR },
  required: ['items'],
  additionalProperties: false,
});

const ninjsAnswer = (description: string, schema: JsonSchema): JsonSchema => ({
  description,
  content: { [mediaOf(NINJS_TYPE)]: { schema } },
});

const VERSION = pathParameter(
  'version',
  { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
  'the published version (1, 2 after a correction...); any other text is 404',
);

export const publicReadsApi = (schemas: SchemaSet): ApiPaths => ({
  '/v1/feeds/articles': {
    get: {
      tags: TAGS,
      operationId: 'publicArticles',
      summary: 'What is public now, newest first publication first, paged by `next`',
      parameters: queryParameters(schemas, PublicArticlesQuery),
      responses: {
        '200': jsonAnswer('one page of the public articles', page(publicArticle(schemas))),
        ...problems(400, 503),
      },
    },
  },
  '/v1/feeds/articles/{articleId}': {
    get: {
      tags: TAGS,
      operationId: 'publicArticle',
      summary: 'One public article: 410 with its notice once retracted, 404 when not public',
      parameters: [ARTICLE_ID],
      responses: {
        '200': jsonAnswer('the article as the public sees it', publicArticle(schemas)),
        '410': {
          description: 'retracted: its public notice and when, as extension members',
          content: {
            'application/problem+json': {
              schema: {
                allOf: [
                  schemas.once('ProblemDetails', () => schemas.of(ProblemDetails)),
                  {
                    type: 'object',
                    properties: { notice: { type: 'string' }, retractedAt: UTC_MILLIS },
                    required: ['notice', 'retractedAt'],
                  },
                ],
              },
            },
          },
        },
        ...problems(404, 503),
      },
    },
  },
  '/v1/feeds/ninjs': {
    get: {
      tags: TAGS,
      operationId: 'ninjsDocuments',
      summary: 'The published articles as ninjs 3.1 documents, paged like /v1/feeds/articles',
      parameters: queryParameters(schemas, PublicArticlesQuery),
      responses: {
        '200': jsonAnswer('one page of ninjs documents', page(ninjsDocument(schemas))),
        ...problems(400, 503),
      },
    },
  },
  '/v1/feeds/ninjs/{articleId}': {
    get: {
      tags: TAGS,
      operationId: 'ninjsDocument',
      summary: "An article's current ninjs document: usable, or canceled once withdrawn",
      parameters: [ARTICLE_ID],
      responses: {
        '200': ninjsAnswer('its current document', ninjsDocument(schemas)),
        ...problems(404, 503),
      },
    },
  },
  '/v1/feeds/ninjs/{articleId}/versions/{version}': {
    get: {
      tags: TAGS,
      operationId: 'ninjsVersion',
      summary: 'The ninjs document one version went out with (404 unpublished, 410 retracted)',
      parameters: [ARTICLE_ID, VERSION],
      responses: {
        '200': ninjsAnswer('the document of that version', ninjsDocument(schemas)),
        ...problems(404, 410, 503),
      },
    },
  },
});
