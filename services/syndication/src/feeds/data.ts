/**
 * What every feed is made of, for one request: a page of what is public now (newest first
 * publication first, `?section=&language=&limit=&cursor=`), the next page's cursor, the
 * articles taken out (unpublished or retracted) within the page's window, and the feed's last
 * change. The window of a page reaches back to its oldest entry's first publication (the whole
 * history on the last page): a reader that has seen those entries learns of their removal.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';
import { readPublicArticles } from '../public-articles/query.js';
import type { PublicArticle, PublicArticlesQuery } from '../public-articles/query.js';

export interface Removal {
  readonly articleId: string;
  readonly kind: 'unpublished' | 'retracted';
  readonly at: string;
  /** The retraction's public notice. */
  readonly notice: string | null;
}

export interface FeedData {
  readonly items: readonly PublicArticle[];
  readonly next?: string;
  readonly removals: readonly Removal[];
  /** The newest change among the entries and removals (undefined: an empty feed). */
  readonly updated?: string;
}

const MAX_REMOVALS = 100;

export const readFeedData = async (
  sql: SqlQueryable,
  schema: string,
  query: PublicArticlesQuery,
): Promise<FeedData> => {
  const page = await readPublicArticles(sql, schema, query);
  const oldest = page.items[page.items.length - 1];
  const since = page.next === undefined ? undefined : oldest?.firstPublishedAt;
  const params: unknown[] = [];
  const where = [`p.status IN ('unpublished', 'retracted')`];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (query.section !== undefined) add((n) => `p.section = $${n}`, query.section);
  if (query.language !== undefined) add((n) => `lower(p.language) = lower($${n})`, query.language);
  if (since !== undefined) add((n) => `p.updated_at >= $${n}::timestamptz`, since);
  // Removals belong to the first page's window only: later pages are history.
  const { rows } =
    query.cursor !== undefined
      ? { rows: [] }
      : await sql.query<{
          id: string;
          status: 'unpublished' | 'retracted';
          at: string;
          notice: string | null;
        }>(
          `SELECT p.article_id::text AS id, p.status, ${utcMillis('p.updated_at')} AS at, p.notice
             FROM ${quoteIdent(schema)}.public_articles p
            WHERE ${where.join(' AND ')}
            ORDER BY p.updated_at DESC LIMIT ${MAX_REMOVALS}`,
          params,
        );
  const removals = rows.map((r) => ({
    articleId: r.id,
    kind: r.status,
    at: r.at,
    notice: r.notice,
  }));
  const times = [...page.items.map((i) => i.updatedAt), ...removals.map((r) => r.at)].sort();
  const updated = times[times.length - 1];
  return {
    items: page.items,
    ...(page.next === undefined ? {} : { next: page.next }),
    removals,
    ...(updated === undefined ? {} : { updated }),
  };
};
