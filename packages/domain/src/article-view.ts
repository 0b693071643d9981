/**
 * The decider's state mapped, field by field, to the wire format (contracts' ArticleView): a
 * new field in the state stays out of every answer until it is mapped here.
 */
import type { ArticleView } from '@newsroom/contracts';
import { sameContent } from './content.js';
import type { ArticleState } from './state.js';

/** The article as answered, or undefined for an article that does not exist. */
export const toArticleView = (state: ArticleState): ArticleView | undefined => {
  if (state.status === 'Initial') return undefined;
  const { published, correction, retraction } = state;
  return {
    articleId: state.articleId,
    status: state.status,
    createdBy: state.createdBy,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    content: state.content,
    contributors: state.contributors,
    reviewerId: state.reviewerId,
    approvedBy: state.approvedBy,
    published:
      published === null
        ? null
        : {
            version: published.version,
            firstPublishedAt: published.firstPublishedAt,
            updatedAt: published.updatedAt,
            corrections: published.corrections.map(({ version, notice, at, by }) => ({
              version,
              notice,
              at,
              by,
            })),
            // Sent once: when the published text is the current text, only `content` holds it.
            ...(sameContent(published.content, state.content)
              ? { contentIsCurrent: true as const }
              : { content: published.content }),
          },
    correction:
      correction === null
        ? null
        : {
            content: correction.content,
            notice: correction.notice,
            contributors: correction.contributors,
            status: correction.status,
            draftedAt: correction.draftedAt,
            approvedBy: correction.approvedBy,
          },
    retraction:
      retraction === null
        ? null
        : {
            reason: retraction.reason,
            notice: retraction.notice,
            at: retraction.at,
            by: retraction.by,
          },
    ...(state.status === 'Scheduled'
      ? {
          schedule: {
            releaseAt: state.schedule.releaseAt,
            embargo: state.schedule.embargo,
            scheduledBy: state.schedule.scheduledBy,
          },
        }
      : {}),
  };
};
