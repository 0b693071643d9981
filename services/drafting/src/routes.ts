/**
 * Drafting over HTTP, at /v1/drafts. Each route: body codec (contracts) -> ArticleCommand with
 * the token's actor -> article decider (domain) -> event store. The decider judges role and state.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';

export const DRAFTS = '/v1/drafts';

export const draftingService = (deps: ServiceDeps): ServiceDefinition =>
  articleCommandService('drafting', DRAFTS, deps, [
    ['/', 'CreateDraft', { creates: true }],
    ['/:articleId/revise', 'ReviseDraft'],
    ['/:articleId/submit', 'SubmitForReview'],
    ['/:articleId/withdraw', 'WithdrawSubmission'],
    ['/:articleId/discard', 'DiscardDraft'],
  ]);
