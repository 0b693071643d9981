/** One change of the syndication log. */
import type { SqlQueryable } from '@newsroom/event-store';
import type { SyndicationEvent } from '../change.js';

export const insertChange = async (
  sql: SqlQueryable,
  schema: string,
  e: SyndicationEvent & { readonly change: string; readonly at: string; readonly version: number },
): Promise<void> => {
  await sql.query(
    `INSERT INTO ${schema}.public_changes
       (seq, article_id, revision, change, version, at, document, section, language)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9)`,
    [
      e.seq,
      e.articleId,
      e.revision,
      e.change,
      e.version,
      e.at,
      JSON.stringify(e.document),
      e.section,
      e.language,
    ],
  );
};
