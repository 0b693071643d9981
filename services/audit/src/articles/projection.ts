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
    for (const m of batch) {
      const headline = headlineOf(m);
      // Guarded by the revision: a redelivered older event never overwrites a newer one.
      await sql.query(
        `INSERT INTO ${s}.audit_articles AS a
           (article_id, headline, headline_key, last_type, revision, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (article_id) DO UPDATE SET
           headline = coalesce(excluded.headline, a.headline),
           headline_key = coalesce(excluded.headline_key, a.headline_key),
           last_type = excluded.last_type,
           revision = excluded.revision, recorded_at = excluded.recorded_at
         WHERE a.revision < excluded.revision`,
        [
          m.articleId,
          headline,
          headline === null ? null : searchKey(headline),
          m.event.type,
          m.revision,
          m.recordedAt,
        ],
      );
    }
    return ack;
  },
  truncate: async ({ sql, schema: s }) => void (await sql.query(`DELETE FROM ${s}.audit_articles`)),
});
