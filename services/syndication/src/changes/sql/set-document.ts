/** The article's current document: the one its latest change sent out. */
import type { SqlQueryable } from '@newsroom/event-store';
import type { NinjsDocument } from '../../documents/ninjs.js';

export const setDocument = async (
  sql: SqlQueryable,
  schema: string,
  articleId: string,
  document: NinjsDocument,
): Promise<void> => {
  await sql.query(`UPDATE ${schema}.public_articles SET document = $2 WHERE article_id = $1`, [
    articleId,
    JSON.stringify(document),
  ]);
};
