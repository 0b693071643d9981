/**
 * A change into the syndication log, inside the transaction of the event that caused it: its
 * number, its ninjs document, and one webhook delivery per matching subscription. A crash
 * loses or repeats none of them (they commit with the read model and the processed marks).
 */
import type { Content } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { rfc3339 } from '@newsroom/service-kit';
import { toNinjs } from '../documents/ninjs.js';
import type { ArticleSnapshot, NinjsOptions, PublicCorrectionNotice } from '../documents/ninjs.js';
import { fanOut } from '../webhooks/sql/fan-out.js';
import { eventTypeOf, payloadOf } from './change.js';
import type { PublicChange } from './change.js';
import { insertChange } from './sql/insert-change.js';
import { setDocument } from './sql/set-document.js';
import { takeSeq } from './sql/take-seq.js';

/** The public_articles row as the upsert returns it. */
export interface ArticleRow {
  readonly article_id: string;
  readonly revision: string;
  readonly status: 'published' | 'unpublished' | 'retracted' | null;
  readonly version: number | null;
  readonly section: string | null;
  readonly language: string | null;
  readonly content: string | null;
  readonly notice: string | null;
  readonly corrections: string;
  readonly first_published_at: string | null;
  readonly updated_at: string | null;
  readonly embargoed_until: string | null;
}

/** The row as a document's snapshot; undefined for a row that was never public. */
export const snapshotOf = (row: ArticleRow): ArticleSnapshot | undefined => {
  if (row.status === null || row.content === null || row.version === null) return undefined;
  return {
    articleId: row.article_id,
    version: row.version,
    content: JSON.parse(row.content) as Content,
    firstPublishedAt: row.first_published_at ?? row.updated_at ?? '',
    updatedAt: row.updated_at ?? '',
    embargoedUntil: row.embargoed_until,
    corrections: JSON.parse(row.corrections) as PublicCorrectionNotice[],
    status: row.status,
    notice: row.notice,
  };
};

export const recordChange = async (
  sql: SqlQueryable,
  schema: string,
  change: {
    readonly change: PublicChange;
    readonly at: string;
    readonly row: ArticleRow;
    /** The trace context of the command behind it, for its webhook deliveries. */
    readonly traceparent?: string;
  },
  options: NinjsOptions,
): Promise<void> => {
  const snapshot = snapshotOf(change.row);
  // Withdrawn before it was ever seen public (its publication never reached this model): a
  // withdrawal of nothing is no change to anyone.
  if (snapshot === undefined) return;
  const document = toNinjs(snapshot, options);
  const seq = await takeSeq(sql, schema);
  const event = {
    seq,
    type: eventTypeOf(change.change),
    articleId: change.row.article_id,
    revision: Number(change.row.revision),
    section: change.row.section,
    language: change.row.language,
    timestamp: rfc3339(change.at),
    document,
  };
  await insertChange(sql, schema, {
    ...event,
    change: change.change,
    at: change.at,
    version: snapshot.version,
  });
  await setDocument(sql, schema, event.articleId, document);
  await fanOut(sql, schema, event, JSON.stringify(payloadOf(event)), change.traceparent);
};
