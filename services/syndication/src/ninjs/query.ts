/**
 * ninjs documents as the read model keeps them: each article's current document (its latest
 * change's), a page of the published ones, and the document of one published version.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { PublicArticlesQuery } from '../public-articles/query.js';
import { LISTED, listedPage } from '../public-articles/query.js';

export interface NinjsPage {
  readonly items: readonly unknown[];
  readonly next?: string;
}

export const readNinjsPage = async (
  sql: SqlQueryable,
  schema: string,
  query: PublicArticlesQuery,
): Promise<NinjsPage> => {
  const { rows, next } = await listedPage<{ document: string }>(
    sql,
    schema,
    query,
    'p.document::text AS document',
    ['p.document IS NOT NULL'],
  );
  const items = rows.map((r) => JSON.parse(r.document) as unknown);
  return next === undefined ? { items } : { items, next };
};

/** The article's current document (published, or canceled once withdrawn), if it was public. */
export const readCurrentDocument = async (
  sql: SqlQueryable,
  schema: string,
  articleId: string,
): Promise<
  { readonly document: unknown; readonly listed: boolean; readonly status: string } | undefined
> => {
  const { rows } = await sql.query<{ document: string; listed: boolean; status: string }>(
    `SELECT p.document::text AS document, (${LISTED}) AS listed, p.status
       FROM ${quoteIdent(schema)}.public_articles p
      WHERE p.article_id = $1 AND p.document IS NOT NULL`,
    [articleId],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { document: JSON.parse(row.document) as unknown, listed: row.listed, status: row.status };
};

/** The document version `n` went out with (its publication, or the correction that made it). */
export const readVersionDocument = async (
  sql: SqlQueryable,
  schema: string,
  articleId: string,
  version: number,
): Promise<unknown> => {
  const { rows } = await sql.query<{ document: string }>(
    `SELECT c.document::text AS document FROM ${quoteIdent(schema)}.public_changes c
      WHERE c.article_id = $1 AND c.version = $2 AND c.change IN ('published', 'corrected')
        AND c.document IS NOT NULL
      ORDER BY c.seq DESC LIMIT 1`,
    [articleId, version],
  );
  return rows[0] === undefined ? undefined : (JSON.parse(rows[0].document) as unknown);
};
