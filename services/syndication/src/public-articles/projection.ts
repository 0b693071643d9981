/**
 * What the public sees now, a read model kept by a processor from article events: one row per
 * article that was ever public or is embargoed, with its published text (exactly as the event
 * holds it), version, first publication, last change and the corrections that went out. An
 * unpublished or retracted article keeps its row with that status (the feeds' tombstones come
 * from it) and leaves every listing. Published again after an unpublication, it keeps its first
 * publication time (its place in the listing and a feed's `published`) and version, as the
 * domain does; `updated_at` says when it came back. An embargo's end is kept from the schedule, and a row is
 * listed only when its publication came at or after it.
 *
 * Every change also appends one row to `public_changes`, the syndication log: each publication,
 * correction, unpublication and retraction exactly once, in one gap-free order, with the ninjs
 * document it sent out. Every channel is built from it: webhooks (their deliveries are made in
 * the same transaction), the public topic and the live stream.
 */
import type { ArticleEventMessage, ArticleEventType, Content } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { ack, handles } from '@newsroom/processing';
import type { Processor, ProcessorMigration } from '@newsroom/processing';
import { utcMillis } from '@newsroom/service-kit';
import { recordChange } from '../changes/record-change.js';
import type { PublicChange } from '../changes/change.js';
import type { ArticleRow } from '../changes/record-change.js';
import type { NinjsOptions } from '../documents/ninjs.js';
import { SYNDICATION_LOG_MIGRATION, WEBHOOK_TRACE_MIGRATION } from '../changes/migration.js';

export const PUBLIC_ARTICLES = 'syndication.public-articles';

const EVENTS: readonly ArticleEventType[] = [
  'PublicationScheduled.v1',
  'ScheduleCancelled.v1',
  'ArticlePublished.v1',
  'CorrectionPublished.v1',
  'ArticleUnpublished.v1',
  'ArticleRetracted.v1',
];

const MIGRATIONS: readonly ProcessorMigration[] = [
  {
    version: 1,
    name: 'public articles and their changes',
    statements: (s) => [
      `CREATE TABLE ${s}.public_articles (
         article_id         uuid        PRIMARY KEY,
         status             text        CHECK (status IN ('published', 'unpublished', 'retracted')),
         version            integer,
         section            text,
         language           text,
         content            json,
         first_published_at timestamptz,
         released_at        timestamptz,
         updated_at         timestamptz,
         embargoed_until    timestamptz,
         corrections        jsonb       NOT NULL DEFAULT '[]',
         notice             text,
         revision           bigint      NOT NULL)`,
      `CREATE INDEX public_articles_listed ON ${s}.public_articles
         (first_published_at DESC, article_id DESC) WHERE status = 'published'`,
      `CREATE TABLE ${s}.public_changes (
         seq        bigserial   PRIMARY KEY,
         article_id uuid        NOT NULL,
         revision   bigint      NOT NULL,
         change     text        NOT NULL,
         version    integer,
         at         timestamptz NOT NULL)`,
      `CREATE INDEX public_changes_article ON ${s}.public_changes (article_id, revision)`,
    ],
  },
  SYNDICATION_LOG_MIGRATION,
  WEBHOOK_TRACE_MIGRATION,
];

/** The columns a new row starts with, and what an existing one takes, for one event. */
interface Upsert {
  readonly insert: Readonly<Record<string, unknown>>;
  /** SQL per column, over `t` (the row) and `excluded` (the new values). */
  readonly set: readonly string[];
  readonly change?: PublicChange;
}

/** A row's columns as a publication (or a correction) leaves them. */
const publishedColumns = (d: {
  readonly version: number;
  readonly at: string;
  readonly content: Content;
}): Readonly<Record<string, unknown>> => ({
  status: 'published',
  version: d.version,
  section: d.content.section ?? null,
  language: d.content.language,
  content: JSON.stringify(d.content),
  first_published_at: d.at,
  released_at: d.at,
  updated_at: d.at,
});

/** What a publication or a correction sets on an existing row (the first publication kept). */
const PUBLISHED_SET = [
  `status = 'published'`,
  'version = excluded.version',
  'section = excluded.section',
  'language = excluded.language',
  'content = excluded.content',
  'first_published_at = COALESCE(t.first_published_at, excluded.first_published_at)',
  'updated_at = excluded.updated_at',
] as const;

const upsertFor = (m: ArticleEventMessage): Upsert | undefined => {
  const e = m.event;
  switch (e.type) {
    case 'PublicationScheduled.v1':
      return {
        insert: { embargoed_until: e.data.embargo ? e.data.releaseAt : null },
        set: ['embargoed_until = excluded.embargoed_until'],
      };
    case 'ScheduleCancelled.v1':
      return { insert: { embargoed_until: null }, set: ['embargoed_until = NULL'] };
    case 'ArticlePublished.v1':
      return {
        insert: publishedColumns(e.data),
        set: [...PUBLISHED_SET, 'released_at = excluded.released_at', 'notice = NULL'],
        change: 'published',
      };
    case 'CorrectionPublished.v1': {
      const correction = { version: e.data.version, notice: e.data.notice, at: e.data.at };
      return {
        // Its first publication never seen (a topic past its retention): the best known.
        insert: { ...publishedColumns(e.data), corrections: JSON.stringify([correction]) },
        set: [
          // Only a published article is corrected; its row may hold no more than a schedule
          // when its publication was never seen.
          ...PUBLISHED_SET,
          'released_at = COALESCE(t.released_at, excluded.released_at)',
          'corrections = t.corrections || excluded.corrections',
        ],
        change: 'corrected',
      };
    }
    case 'ArticleUnpublished.v1':
      return {
        insert: { status: 'unpublished', updated_at: e.data.at },
        set: [`status = 'unpublished'`, 'updated_at = excluded.updated_at'],
        change: 'unpublished',
      };
    case 'ArticleRetracted.v1':
      return {
        insert: { status: 'retracted', updated_at: e.data.at, notice: e.data.notice },
        set: [
          `status = 'retracted'`,
          'updated_at = excluded.updated_at',
          'notice = excluded.notice',
        ],
        change: 'retracted',
      };
    default:
      return undefined;
  }
};

/** The row as an upsert leaves it, for the change's document. */
const RETURNING = `RETURNING t.article_id::text AS article_id, t.revision::text AS revision,
  t.status, t.version, t.section, t.language, t.content::text AS content, t.notice,
  t.corrections::text AS corrections,
  ${utcMillis('t.first_published_at')} AS first_published_at,
  ${utcMillis('t.updated_at')} AS updated_at,
  ${utcMillis('t.embargoed_until')} AS embargoed_until`;

/**
 * One message into the read model: the row's upsert, guarded by its revision (an older event
 * never overwrites a newer one); when the row changed and the change is public, the change
 * itself (recordChange: its place in the syndication log, its document, its webhooks).
 */
const project = async (
  sql: SqlQueryable,
  s: string,
  m: ArticleEventMessage,
  options: NinjsOptions,
): Promise<void> => {
  const upsert = upsertFor(m);
  if (upsert === undefined) return;
  const columns = ['article_id', 'revision', ...Object.keys(upsert.insert)];
  const values = [m.articleId, m.revision, ...Object.values(upsert.insert)];
  const { rows } = await sql.query<ArticleRow>(
    `INSERT INTO ${s}.public_articles AS t (${columns.join(', ')})
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (article_id) DO UPDATE SET ${[...upsert.set, 'revision = excluded.revision'].join(', ')}
       WHERE t.revision < excluded.revision
       ${RETURNING}`,
    values,
  );
  const row = rows[0];
  if (row === undefined || upsert.change === undefined) return;
  await recordChange(
    sql,
    s,
    {
      change: upsert.change,
      at: m.event.data.at,
      row,
      ...(m.metadata.traceparent === undefined ? {} : { traceparent: m.metadata.traceparent }),
    },
    options,
  );
};

export const publicArticlesProcessor = (schema: string, options: NinjsOptions = {}): Processor => ({
  name: PUBLIC_ARTICLES,
  version: 1,
  schema,
  canHandle: handles(...EVENTS),
  migrations: MIGRATIONS,
  handle: async (batch, { sql, schema: s }) => {
    for (const message of batch) await project(sql, s, message, options);
    return ack;
  },
  // Subscriptions and deliveries stay: a replayed change finds its deliveries made already
  // (one per subscription, article and revision) and sends nothing twice.
  truncate: async ({ sql, schema: s }) => {
    await sql.query(`DELETE FROM ${s}.public_changes`);
    await sql.query(`DELETE FROM ${s}.public_articles`);
  },
});
