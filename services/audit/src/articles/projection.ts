/**
 * The audit page's finding aid, a read model kept by a processor from every article event: one
 * row per article with the latest headline any of its events carried, its last event's type,
 * revision and time. It only finds articles: everything the page shows about one comes from
 * the store itself.
 */
import type { ArticleEventMessage } from '@newsroom/contracts';
import { ack, handlesAll } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';

export const AUDIT_ARTICLES = 'audit.articles';

/** What headline search compares: NFC, lower case. */
export const searchKey = (text: string): string => text.normalize('NFC').toLowerCase();

const headlineOf = (m: ArticleEventMessage): string | null => {
  const data = m.event.data as { readonly content?: { readonly headline?: unknown } };
  return typeof data.content?.headline === 'string' ? data.content.headline : null;
};

/** What a batch says of one article: its last event, and the last headline it carried. */
interface ArticleRow {
  readonly articleId: string;
  headline: string | null;
  headlineRevision: string | null;
  lastType: string;
  revision: string;
  recordedAt: string;
}

const newer = (revision: string, than: string | null): boolean =>
  than === null || BigInt(revision) > BigInt(than);

/** The batch folded per article: its newest event, and the newest one that carried a
 *  headline (by revision, whatever order the events came in). */
const articlesOf = (batch: readonly ArticleEventMessage[]): Map<string, ArticleRow> => {
  const rows = new Map<string, ArticleRow>();
  for (const m of batch) {
    const row = rows.get(m.articleId) ?? {
      articleId: m.articleId,
      headline: null,
      headlineRevision: null,
      lastType: m.event.type,
      revision: m.revision,
      recordedAt: m.recordedAt,
    };
    const headline = headlineOf(m);
    if (headline !== null && newer(m.revision, row.headlineRevision)) {
      row.headline = headline;
      row.headlineRevision = m.revision;
    }
    if (newer(m.revision, row.revision)) {
      row.lastType = m.event.type;
      row.revision = m.revision;
      row.recordedAt = m.recordedAt;
    }
    rows.set(m.articleId, row);
  }
  return rows;
};

export const auditArticlesProcessor = (schema: string): Processor => ({
  name: AUDIT_ARTICLES,
  version: 1,
  schema,
  canHandle: handlesAll,
  migrations: [
    {
      version: 1,
      name: 'the articles the audit page finds',
      statements: (s) => [
        `CREATE TABLE ${s}.audit_articles (
           article_id  uuid        PRIMARY KEY,
           headline    text,
           -- The headline as search compares it: NFC, lower case (in Node, whatever the locale).
           headline_key text,
           last_type   text        NOT NULL,
           revision    bigint      NOT NULL,
           recorded_at timestamptz NOT NULL)`,
        `CREATE INDEX audit_articles_recent ON ${s}.audit_articles (recorded_at DESC, article_id)`,
      ],
    },
  ],
  handle: async (batch, { sql, schema: s }) => {
    const rows = [...articlesOf(batch).values()];
    if (rows.length === 0) return ack;
    // One statement for the batch: the rows it changes, then the ones it creates. Guarded by
    // the revision: a redelivered older event never overwrites a newer one, and a headline
    // only replaces the stored one when the event that carried it is newer than the row.
    await sql.query(
      `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                              $6::bigint[], $7::timestamptz[])
                AS u(article_id, headline, headline_key, headline_revision, last_type, revision,
                     recorded_at)),
       changed AS (
         UPDATE ${s}.audit_articles AS a SET
           headline = CASE WHEN u.headline_revision > a.revision THEN u.headline
                           ELSE a.headline END,
           headline_key = CASE WHEN u.headline_revision > a.revision THEN u.headline_key
                               ELSE a.headline_key END,
           last_type = u.last_type, revision = u.revision, recorded_at = u.recorded_at
           FROM u
          WHERE a.article_id = u.article_id AND a.revision < u.revision
         RETURNING a.article_id)
       INSERT INTO ${s}.audit_articles
         (article_id, headline, headline_key, last_type, revision, recorded_at)
       SELECT u.article_id, u.headline, u.headline_key, u.last_type, u.revision, u.recorded_at
         FROM u
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.audit_articles a WHERE a.article_id = u.article_id)
       ON CONFLICT (article_id) DO NOTHING`,
      [
        rows.map((r) => r.articleId),
        rows.map((r) => r.headline),
        rows.map((r) => (r.headline === null ? null : searchKey(r.headline))),
        rows.map((r) => r.headlineRevision),
        rows.map((r) => r.lastType),
        rows.map((r) => r.revision),
        rows.map((r) => r.recordedAt),
      ],
    );
    return ack;
  },
  truncate: async ({ sql, schema: s }) => void (await sql.query(`DELETE FROM ${s}.audit_articles`)),
});
