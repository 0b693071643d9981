/**
 * The public articles' read side: `GET /v1/feeds/articles?section=&language=&limit=&cursor=`,
 * newest first publication first, paged by an opaque cursor; and one article by id. Only what
 * is public now is listed: published, its embargo (if any) over when it went out.
 */
import type { Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { boundedText, LanguageTag, strict } from '@newsroom/contracts';
import type { Content, FieldError } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { decodePageQuery, PageCursor, PageLimit, readPage, utcMillis } from '@newsroom/service-kit';

/** The query string as express gives it (strings); unknown parameters are refused. */
export const PublicArticlesQuery = strict(
  {},
  {
    section: boundedText('Section', 100),
    language: LanguageTag,
    limit: PageLimit,
    cursor: PageCursor,
  },
  'PublicArticlesQuery',
);
export type PublicArticlesQuery = t.TypeOf<typeof PublicArticlesQuery>;

export const decodeQuery = (query: unknown): Either<readonly FieldError[], PublicArticlesQuery> =>
  decodePageQuery(PublicArticlesQuery, query);

export interface PublicCorrection {
  readonly version: number;
  readonly notice: string;
  readonly at: string;
}

/** An article as the public sees it now. */
export interface PublicArticle {
  readonly articleId: string;
  readonly version: number;
  readonly firstPublishedAt: string;
  readonly updatedAt: string;
  readonly corrections: readonly PublicCorrection[];
  readonly content: Content;
}

export interface PublicPage {
  readonly items: readonly PublicArticle[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly next?: string;
}

/** What one article is to the public: out now, retracted (with its notice), or nothing. */
export type PublicState =
  | { readonly kind: 'published'; readonly article: PublicArticle }
  | { readonly kind: 'retracted'; readonly notice: string; readonly retractedAt: string }
  | { readonly kind: 'none' };

interface Row {
  readonly article_id: string;
  readonly status: string | null;
  readonly listed: boolean;
  readonly version: number;
  readonly first_published_at: string;
  readonly updated_at: string;
  readonly corrections: string;
  readonly content: string;
  readonly notice: string | null;
}

export const LISTED = `p.status = 'published'
  AND (p.embargoed_until IS NULL OR p.released_at >= p.embargoed_until)`;

const COLUMNS = `p.article_id::text AS article_id, p.status, p.version,
  ${utcMillis('p.first_published_at')} AS first_published_at,
  ${utcMillis('p.updated_at')} AS updated_at,
  p.corrections::text AS corrections, p.content::text AS content, p.notice,
  (${LISTED}) AS listed`;

const toArticle = (r: Row): PublicArticle => ({
  articleId: r.article_id,
  version: r.version,
  firstPublishedAt: r.first_published_at,
  updatedAt: r.updated_at,
  corrections: JSON.parse(r.corrections) as PublicCorrection[],
  // The event's content as stored: JSON keeps every text byte for byte.
  content: JSON.parse(r.content) as Content,
});

/** The section and language filters over `p`, their values pushed onto `params`. */
export const filterWhere = (
  query: Pick<PublicArticlesQuery, 'section' | 'language'>,
  params: unknown[],
): string[] => {
  const where: string[] = [];
  if (query.section !== undefined) {
    params.push(query.section);
    where.push(`p.section = $${params.length}`);
  }
  if (query.language !== undefined) {
    params.push(query.language);
    where.push(`lower(p.language) = lower($${params.length})`);
  }
  return where;
};

/**
 * One page of the rows listed now (published, any embargo over), newest first publication
 * first, filtered by section and language; `select` names the columns (over `p`), each row
 * also gets `page_at` and `page_id` for the cursor.
 */
export const listedPage = async <R>(
  sql: SqlQueryable,
  schema: string,
  query: PublicArticlesQuery,
  select: string,
  extraWhere: readonly string[] = [],
): Promise<{ readonly rows: readonly R[]; readonly next?: string }> => {
  const params: unknown[] = [];
  const where = [LISTED, ...extraWhere, ...filterWhere(query, params)];
  return readPage<R>(
    sql,
    {
      select,
      from: `${quoteIdent(schema)}.public_articles p`,
      where,
      params,
      at: 'p.first_published_at',
      id: 'p.article_id',
    },
    query,
  );
};

/** One page of what is public now, newest first publication first. */
export const readPublicArticles = async (
  sql: SqlQueryable,
  schema: string,
  query: PublicArticlesQuery,
): Promise<PublicPage> => {
  const { rows, next } = await listedPage<Row>(sql, schema, query, COLUMNS);
  const items = rows.map(toArticle);
  return next === undefined ? { items } : { items, next };
};

/** One article (a UUID, lower case) as the public sees it now. */
export const readPublicArticle = async (
  sql: SqlQueryable,
  schema: string,
  articleId: string,
): Promise<PublicState> => {
  const { rows } = await sql.query<Row>(
    `SELECT ${COLUMNS} FROM ${quoteIdent(schema)}.public_articles p WHERE p.article_id = $1`,
    [articleId],
  );
  const row = rows[0];
  if (row === undefined) return { kind: 'none' };
  if (row.status === 'retracted') {
    return { kind: 'retracted', notice: row.notice ?? '', retractedAt: row.updated_at };
  }
  return row.listed ? { kind: 'published', article: toArticle(row) } : { kind: 'none' };
};
