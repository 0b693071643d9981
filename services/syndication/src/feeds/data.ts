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
import { filterWhere, readPublicArticles } from '../public-articles/query.js';
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
  /** The newest change of any article under the feed's filters (undefined: none yet). */
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
  const where = [`p.status IN ('unpublished', 'retracted')`, ...filterWhere(query, params)];
  if (since !== undefined) {
    params.push(since);
    where.push(`p.updated_at >= $${params.length}::timestamptz`);
  }
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
  // The feed's last change: of any article under its filters, withdrawn ones included, so that
  // it never goes back (a page whose entry was withdrawn is modified, not older).
  const lastParams: unknown[] = [];
  const lastWhere = ['p.document IS NOT NULL', ...filterWhere(query, lastParams)];
  const last = await sql.query<{ at: string | null }>(
    `SELECT ${utcMillis('max(p.updated_at)')} AS at FROM ${quoteIdent(schema)}.public_articles p
      WHERE ${lastWhere.join(' AND ')}`,
    lastParams,
  );
  const updated = last.rows[0]?.at ?? undefined;
  return {
    items: page.items,
    ...(page.next === undefined ? {} : { next: page.next }),
    removals,
    ...(updated === undefined ? {} : { updated }),
  };
};
