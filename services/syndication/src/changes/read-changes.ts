/**
 * Reading the syndication log in its order: the changes after a number, and the last number.
 * Numbers commit in order (see migration.ts), so reading `seq > n` never skips one that
 * commits late. A replay never hands out a text withdrawn since (see withoutText).
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { rfc3339 } from '@newsroom/service-kit';
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
  readonly withdrawn: boolean;
}

/**
 * An old publication or correction of an article withdrawn since, as it is replayed: its
 * place in the history kept, its text no longer offered (no bodies, no summary).
 */
const withoutText = (document: NinjsDocument): NinjsDocument => {
  const {
    bodies: _bodies,
    descriptions,
    ...rest
  } = document as NinjsDocument & {
    bodies?: unknown;
    descriptions?: { role?: string }[];
  };
  const kept = (descriptions ?? []).filter((d) => d.role !== 'summary');
  return { ...rest, ...(kept.length === 0 ? {} : { descriptions: kept }) } as NinjsDocument;
};

export const readChangesAfter = async (
  sql: SqlQueryable,
  schema: string,
  after: number,
  limit = 500,
): Promise<SyndicationEvent[]> => {
  const { rows } = await sql.query<Row>(
    `SELECT c.seq::text AS seq, c.article_id::text AS article_id, c.revision::text AS revision,
            c.change, c.section, c.language, c.at, c.document::text AS document,
            (p.status IN ('unpublished', 'retracted') AND c.change IN ('published', 'corrected')) AS withdrawn
       FROM ${quoteIdent(schema)}.public_changes c
       JOIN ${quoteIdent(schema)}.public_articles p ON p.article_id = c.article_id
      WHERE c.seq > $1 AND c.document IS NOT NULL
      ORDER BY c.seq LIMIT $2`,
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
    document: r.withdrawn
      ? withoutText(JSON.parse(r.document) as NinjsDocument)
      : (JSON.parse(r.document) as NinjsDocument),
  }));
};

export const readLastSeq = async (sql: SqlQueryable, schema: string): Promise<number> => {
  const { rows } = await sql.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM ${quoteIdent(schema)}.syndication_seq`,
  );
  return Number(rows[0]?.seq ?? 0);
};
