/** Small builders the processing specs share. */
import { randomUUID } from 'node:crypto';
import type { ArticleEvent } from '@newsroom/contracts';

const AT = '2026-04-08T14:00:00.000Z';
const BY = { id: 'editor.a', role: 'editor' } as const;

export const submitted = (articleId: string): ArticleEvent => ({
  type: 'SubmittedForReview.v1',
  data: { articleId, at: AT, by: BY },
});

export const withdrawn = (articleId: string): ArticleEvent => ({
  type: 'SubmissionWithdrawn.v1',
  data: { articleId, at: AT, by: BY },
});

/** A fresh schema name: `<prefix>_<16 hex>`. */
export const schemaName = (prefix: string): string =>
  `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
