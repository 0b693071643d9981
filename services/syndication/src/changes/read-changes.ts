/**
 * Reading the syndication log in its order: the changes after a number, and the last number.
 * Numbers commit in order (see migration.ts), so reading `seq > n` never skips one that
 * commits late.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { rfc3339 } from '../documents/dates.js';
import type { NinjsDocument } from '../documents/ninjs.js';
import { eventTypeOf } from './change.js';
import type { PublicChange, SyndicationEvent } from './change.js';

interface Row {
  readonly seq: string;
  readonly article_id: string;
  readonly revision: string;
  readonly change: PublicChange;
  readonly section: string | null;
  readonly language: string | null;
  readonly at: Date | string;
  readonly document: string;
}

export const readChangesAfter = async (
  sql: SqlQueryable,
  schema: string,
  after: number,
  limit = 500,
): Promise<SyndicationEvent[]> => {
  const { rows } = await sql.query<Row>(
    `SELECT seq::text AS seq, article_id::text AS article_id, revision::text AS revision, change,
            section, language, at, document::text AS document
       FROM ${quoteIdent(schema)}.public_changes
      WHERE seq > $1 AND document IS NOT NULL
      ORDER BY seq LIMIT $2`,
    [after, limit],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    type: eventTypeOf(r.change),
    articleId: r.article_id,
    revision: Number(r.revision),
    section: r.section,
    language: r.language,
    timestamp: rfc3339(new Date(r.at).toISOString()),
    document: JSON.parse(r.document) as NinjsDocument,
  }));
};

export const readLastSeq = async (sql: SqlQueryable, schema: string): Promise<number> => {
  const { rows } = await sql.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM ${quoteIdent(schema)}.syndication_seq`,
  );
  return Number(rows[0]?.seq ?? 0);
};
