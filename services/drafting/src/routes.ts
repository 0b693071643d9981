/**
 * Drafting over HTTP, at /v1/drafts. Each route: body codec (contracts) -> ArticleCommand with
 * the token's actor -> article decider (domain) -> event store. The decider judges role and state.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ArticleRouteTable, ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';

export const DRAFTS = '/v1/drafts';

/** Each command's path under DRAFTS (the CLI sends them by these too). */
export const DRAFTING_COMMANDS: ArticleRouteTable = [
  ['/', 'CreateDraft', { creates: true }],
  ['/:articleId/revise', 'ReviseDraft'],
  ['/:articleId/submit', 'SubmitForReview'],
  ['/:articleId/withdraw', 'WithdrawSubmission'],
  ['/:articleId/discard', 'DiscardDraft'],
];

export const draftingService = (deps: ServiceDeps): ServiceDefinition =>
  articleCommandService('drafting', DRAFTS, deps, DRAFTING_COMMANDS);
