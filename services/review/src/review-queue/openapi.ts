/** `GET /v1/reviews` in the API reference: its query read off the queue's query codec. */
import type { ApiDescription } from '@newsroom/service-kit';
import {
  bearer,
  closedObject,
  jsonAnswer,
  NULLABLE_STRING,
  pageOf,
  problems,
  queryParameters,
  UUID,
} from '@newsroom/service-kit';
import { ReviewQueueQuery, ReviewStatus } from './query.js';
import { QUEUE_READERS } from './routes.js';

export const reviewQueueApi =
  (path: string): ApiDescription =>
  (schemas) => ({
    [path]: {
      get: {
        tags: ['review'],
        operationId: 'reviewQueue',
        summary: 'The review queue, newest submission first, paged by `next`',
        ...bearer([...QUEUE_READERS]),
        parameters: queryParameters(schemas, ReviewQueueQuery),
        responses: {
          '200': jsonAnswer(
            'one page of the queue',
            pageOf(
              closedObject({
                articleId: UUID,
                status: schemas.of(ReviewStatus),
                kind: { enum: ['article', 'correction'] },
                section: NULLABLE_STRING,
                headline: NULLABLE_STRING,
                submittedBy: NULLABLE_STRING,
                submittedAt: NULLABLE_STRING,
                assignee: NULLABLE_STRING,
                revision: { type: 'integer', minimum: 0 },
                comments: { type: 'array' },
              }),
              'pass as `cursor` for the next page',
            ),
          ),
          ...problems(400, 401, 403, 503),
        },
      },
    },
  });
