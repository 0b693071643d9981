import type { Content } from '@newsroom/contracts';
import type { ArticleState, CorrectionRecord } from './state.js';

/** What a consumer may see of an article: the published text, a retraction tombstone, or
 *  nothing (drafts, review, scheduled and embargoed articles, unpublished articles). */
export type PublicView =
  | {
      readonly kind: 'published';
      readonly articleId: string;
      readonly version: number;
      readonly content: Content;
      readonly firstPublishedAt: string;
      readonly updatedAt: string;
      readonly corrections: readonly CorrectionRecord[];
    }
  | {
      readonly kind: 'retracted';
      readonly articleId: string;
      readonly version: number;
      readonly notice: string;
      readonly retractedAt: string;
    };

export const publicView = (state: ArticleState): PublicView | null => {
  if (state.status === 'Published' && state.published !== null) {
    const { version, content, firstPublishedAt, updatedAt, corrections } = state.published;
    return {
      kind: 'published',
      articleId: state.articleId,
      version,
      content,
      firstPublishedAt,
      updatedAt,
      corrections,
    };
  }
  if (state.status === 'Retracted' && state.retraction !== null) {
    return {
      kind: 'retracted',
      articleId: state.articleId,
      version: state.published?.version ?? 0,
      notice: state.retraction.notice,
      retractedAt: state.retraction.at,
    };
  }
  return null;
};
