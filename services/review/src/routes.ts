/**
 * Review over HTTP, at /v1/reviews: assign a reviewer, request changes, approve, reject.
 * Approving a pending correction is the same route; the decider tells the two apart. And the
 * review queue (`GET /v1/reviews`), a read model kept by a processor from article events.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { reviewQueueProcessor, reviewQueueRouter } from './review-queue/index.js';

export const REVIEWS = '/v1/reviews';

export const reviewService = (deps: ServiceDeps): ServiceDefinition => {
  const commands = articleCommandService('review', REVIEWS, deps, [
    ['/:articleId/assign', 'AssignReviewer'],
    ['/:articleId/request-changes', 'RequestChanges'],
    ['/:articleId/approve', 'ApproveArticle'],
    ['/:articleId/reject', 'RejectArticle'],
  ]);
  const schema = deps.readModelSchema('review');
  return {
    ...commands,
    routes: [
      [REVIEWS, reviewQueueRouter(deps.authenticator, deps.sql, schema)],
      ...commands.routes,
    ],
    processors: [reviewQueueProcessor(schema)],
  };
};
