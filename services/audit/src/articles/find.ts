/** Articles by id or by a piece of their headline (NFC, case-insensitive), newest first. */
import type { SqlQueryable } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';
import { searchKey } from './projection.js';

export interface FoundArticle {
  readonly articleId: string;
  readonly headline: string | null;
  readonly lastType: string;
  readonly revision: number;
  readonly recordedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const findArticles = async (
  db: SqlQueryable,
  schema: string,
  query: string,
  limit = 50,
): Promise<FoundArticle[]> => {
  const text = query.normalize('NFC').trim();
  const pattern = `%${searchKey(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await db.query<{
    article_id: string;
    headline: string | null;
    last_type: string;
    revision: string;
    recorded_at: string;
  }>(
    `SELECT a.article_id::text AS article_id, a.headline, a.last_type, a.revision::text AS revision,
            ${utcMillis('a.recorded_at')} AS recorded_at
       FROM ${schema}.audit_articles a
      WHERE ($1::uuid IS NOT NULL AND a.article_id = $1::uuid)
         OR ($2 <> '%%' AND a.headline_key LIKE $2)
      ORDER BY a.recorded_at DESC, a.article_id LIMIT $3`,
    [UUID.test(text) ? text : null, pattern, limit],
  );
  return rows.map((r) => ({
    articleId: r.article_id,
    headline: r.headline,
    lastType: r.last_type,
    revision: Number(r.revision),
    recordedAt: r.recorded_at,
  }));
};
