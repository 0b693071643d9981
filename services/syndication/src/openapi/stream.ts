/**
 * `GET /v1/stream` in the API reference: the syndication log as Server-Sent Events, its query
 * read off the stream's own codec, resumed by `Last-Event-ID`. Public: no token.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { mediaAnswer, problems, queryParameters } from '@newsroom/service-kit';
import type { SchemaSet } from '@newsroom/contracts';
import { StreamQuery } from '../stream/routes.js';

export const streamApi = (schemas: SchemaSet): ApiPaths => ({
  '/v1/stream': {
    get: {
      tags: ['syndication'],
      operationId: 'liveStream',
      summary: 'The public changes as Server-Sent Events, live, resumable by Last-Event-ID',
      description:
        'Each event is `id: <n>`, `event: article.published|corrected|unpublished|retracted` and `data:` the `SyndicationPayload` JSON webhooks carry (its `data` the ninjs document). Resumed with `Last-Event-ID` (or `?lastEventId=`), it sends everything after that id, with no gap and no repeat; without one, what happens from now on. Comment heartbeats keep it open. Past its limit of clients, 503 with Retry-After.',
      parameters: [
        ...queryParameters(schemas, StreamQuery),
        {
          name: 'Last-Event-ID',
          in: 'header',
          description: 'the last event id seen: resume after it (wins over `?lastEventId=`)',
          schema: schemas.of(StreamQuery.optional.lastEventId),
        },
      ],
      responses: {
        '200': mediaAnswer('the event stream, open until the client or the server ends it', [
          'text/event-stream',
        ]),
        ...problems(400, 503),
      },
    },
  },
});
