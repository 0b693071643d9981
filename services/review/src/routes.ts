/**
 * Review over HTTP, at /v1/reviews: assign a reviewer, request changes, approve, reject.
 * Approving a pending correction is the same route; the decider tells the two apart.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';

export const REVIEWS = '/v1/reviews';

export const reviewService = (deps: ServiceDeps): ServiceDefinition =>
  articleCommandService('review', REVIEWS, deps, [
    ['/:articleId/assign', 'AssignReviewer'],
    ['/:articleId/request-changes', 'RequestChanges'],
    ['/:articleId/approve', 'ApproveArticle'],
    ['/:articleId/reject', 'RejectArticle'],
  ]);
