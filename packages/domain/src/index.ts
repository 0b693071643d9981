export type { Decider } from './decider.js';
export { replayWith } from './decider.js';
export { articleDecider, replay } from './article.js';
export { commandRoles, decide, maySend, reviseInReviewRoles } from './decide.js';
export { evolve, initialState, stateName } from './state.js';
export type {
  ArticleFacts,
  ArticleState,
  CorrectionRecord,
  ExistingArticle,
  InitialState,
  PendingCorrection,
  PublishedFacts,
  Retraction,
  Schedule,
  ScheduledArticle,
  UnscheduledStatus,
} from './state.js';
export { jsonEqual, sameContent } from './content.js';
export { publicView } from './public-view.js';
export { toArticleView } from './article-view.js';
export type { PublicView } from './public-view.js';
export { rejectionStatus } from '@newsroom/contracts';
export type { ArticleRejection, ArticleRejectionTag, ArticleStatus } from '@newsroom/contracts';
