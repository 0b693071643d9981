/**
 * Review over HTTP, at /v1/reviews: assign a reviewer, request changes, approve, reject.
 * Approving a pending correction is the same route; the decider tells the two apart. And the
 * review queue (`GET /v1/reviews`), a read model kept by a processor from article events.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ArticleRouteTable, ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { reviewQueueProcessor, reviewQueueRouter } from './review-queue/index.js';
import { reviewQueueApi } from './review-queue/openapi.js';

export const REVIEWS = '/v1/reviews';

/** Each command's path under REVIEWS (the CLI sends them by these too). */
export const REVIEW_COMMANDS: ArticleRouteTable = [
  ['/:articleId/assign', 'AssignReviewer'],
  ['/:articleId/request-changes', 'RequestChanges'],
  ['/:articleId/approve', 'ApproveArticle'],
  ['/:articleId/reject', 'RejectArticle'],
];

export const reviewService = (deps: ServiceDeps): ServiceDefinition => {
  const commands = articleCommandService('review', REVIEWS, deps, REVIEW_COMMANDS);
  const schema = deps.readModelSchema('review');
  return {
    ...commands,
    routes: [
      [REVIEWS, reviewQueueRouter(deps.authenticator, deps.sql, schema)],
      ...commands.routes,
    ],
    processors: [reviewQueueProcessor(schema)],
    api: (schemas) => ({ ...reviewQueueApi(REVIEWS)(schemas), ...commands.api?.(schemas) }),
  };
};
