/**
 * The review queue's read side: `GET /v1/reviews?status=&assignee=&section=&limit=&cursor=`,
 * newest submission first, paged by an opaque cursor (the last entry's submission time and
 * article id). The query string is decoded by one codec; what fails it is a 400 with its
 * field paths, never a query that runs.
 */
import type { Either } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { boundedText, strict } from '@newsroom/contracts';
import type { FieldError } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { decodePageQuery, PageCursor, PageLimit, readPage, utcMillis } from '@newsroom/service-kit';

export const ReviewStatus = t.keyof({ pending: null, in_review: null, changes_requested: null });
export type ReviewStatus = t.TypeOf<typeof ReviewStatus>;

/** The query string as express gives it (strings); unknown parameters are refused. */
export const ReviewQueueQuery = strict(
  {},
  {
    status: ReviewStatus,
    assignee: boundedText('Assignee', 300),
    section: boundedText('Section', 100),
    limit: PageLimit,
    cursor: PageCursor,
  },
  'ReviewQueueQuery',
);
export type ReviewQueueQuery = t.TypeOf<typeof ReviewQueueQuery>;

export interface ReviewEntry {
  readonly articleId: string;
  readonly status: ReviewStatus;
  readonly kind: 'article' | 'correction';
  readonly section: string | null;
  readonly headline: string | null;
  readonly submittedBy: string | null;
  readonly submittedAt: string | null;
  readonly assignee: string | null;
  readonly revision: number;
  readonly comments: readonly unknown[];
}

export interface ReviewPage {
  readonly items: readonly ReviewEntry[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly next?: string;
}

/** The query decoded, or the failing field paths. */
export const decodeQuery = (query: unknown): Either<readonly FieldError[], ReviewQueueQuery> =>
  decodePageQuery(ReviewQueueQuery, query);

interface Row {
  readonly article_id: string;
  readonly status: ReviewStatus;
  readonly kind: 'article' | 'correction';
  readonly section: string | null;
  readonly headline: string | null;
  readonly submitted_by: string | null;
  readonly submitted_at: string | null;
  readonly assignee: string | null;
  readonly revision: string;
  readonly comments: string;
}

/** One page of the queue, newest submission first. */
export const readReviewQueue = async (
  sql: SqlQueryable,
  schema: string,
  query: ReviewQueueQuery,
): Promise<ReviewPage> => {
  const params: unknown[] = [];
  const where = ['q.status IS NOT NULL'];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (query.status !== undefined) add((n) => `q.status = $${n}`, query.status);
  if (query.assignee !== undefined) add((n) => `q.assignee = $${n}`, query.assignee);
  if (query.section !== undefined) add((n) => `q.section = $${n}`, query.section);
  const { rows, next } = await readPage<Row>(
    sql,
    {
      select: `q.article_id::text AS article_id, q.status, q.kind, q.section, q.headline,
        q.submitted_by, ${utcMillis('q.submitted_at')} AS submitted_at,
        q.assignee, q.revision::text AS revision, q.comments::text AS comments`,
      from: `${quoteIdent(schema)}.review_queue q`,
      where,
      params,
      at: 'q.submitted_at',
      id: 'q.article_id',
    },
    query,
  );
  const items = rows.map((r): ReviewEntry => ({
    articleId: r.article_id,
    status: r.status,
    kind: r.kind,
    section: r.section,
    headline: r.headline,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    assignee: r.assignee,
    revision: Number(r.revision),
    comments: JSON.parse(r.comments) as unknown[],
  }));
  return next === undefined ? { items } : { items, next };
};
