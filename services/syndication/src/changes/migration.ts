/**
 * The syndication log's second step: the change's place in one gap-free order, its document,
 * and the webhook tables whose deliveries a change makes in its own transaction.
 *
 * `syndication_seq` is one row every change takes its number from (`UPDATE ... RETURNING`):
 * its row lock is held until the change commits, so changes commit in number order even with
 * two syndication processes in one group, and a reader that has seen change n never later
 * finds an n - 1 it missed (the live stream resumes from a number with no gap and no repeat).
 */
import type { ProcessorMigration } from '@newsroom/processing';

export const SYNDICATION_LOG_MIGRATION: ProcessorMigration = {
  version: 2,
  name: 'the syndication log and webhooks',
  statements: (s) => [
    `CREATE TABLE ${s}.syndication_seq (
       one boolean PRIMARY KEY DEFAULT true CHECK (one),
       seq bigint  NOT NULL)`,
    `INSERT INTO ${s}.syndication_seq (seq) SELECT COALESCE(max(seq), 0) FROM ${s}.public_changes`,
    `ALTER TABLE ${s}.public_changes ADD COLUMN document json`,
    `ALTER TABLE ${s}.public_articles ADD COLUMN document json`,
    `ALTER TABLE ${s}.public_changes ADD COLUMN section text`,
    `ALTER TABLE ${s}.public_changes ADD COLUMN language text`,
    `CREATE TABLE ${s}.webhook_subscriptions (
       id                 uuid        PRIMARY KEY,
       url                text        NOT NULL,
       sections           text[]      NOT NULL DEFAULT '{}',
       languages          text[]      NOT NULL DEFAULT '{}',
       event_types        text[]      NOT NULL DEFAULT '{}',
       secret             text        NOT NULL,
       previous_secret    text,
       previous_until     timestamptz,
       status             text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
       disabled_reason    text,
       created_by         text        NOT NULL,
       created_at         timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${s}.webhook_deliveries (
       id              uuid        PRIMARY KEY,
       subscription_id uuid        NOT NULL REFERENCES ${s}.webhook_subscriptions (id),
       seq             bigint      NOT NULL,
       article_id      uuid        NOT NULL,
       revision        bigint      NOT NULL,
       event_type      text        NOT NULL,
       body            text        NOT NULL,
       status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
       attempts        integer     NOT NULL DEFAULT 0,
       next_attempt_at timestamptz NOT NULL DEFAULT now(),
       last_status     integer,
       last_error      text,
       last_latency_ms integer,
       created_at      timestamptz NOT NULL DEFAULT now(),
       finished_at     timestamptz,
       UNIQUE (subscription_id, article_id, revision))`,
    `CREATE INDEX webhook_deliveries_due ON ${s}.webhook_deliveries (next_attempt_at)
       WHERE status = 'pending'`,
    `CREATE INDEX webhook_deliveries_order ON ${s}.webhook_deliveries (subscription_id, article_id, seq)`,
    `CREATE TABLE ${s}.webhook_attempts (
       delivery_id uuid        NOT NULL REFERENCES ${s}.webhook_deliveries (id),
       n           integer     NOT NULL,
       at          timestamptz NOT NULL,
       status      integer,
       error       text,
       latency_ms  integer     NOT NULL,
       PRIMARY KEY (delivery_id, n))`,
  ],
};

/**
 * The trace context of the command a delivery comes from (W3C traceparent, as its event's
 * metadata holds it), so that the receiver's work joins the newsroom's trace. A column added,
 * nothing rebuilt: deliveries made before it carry none.
 */
export const WEBHOOK_TRACE_MIGRATION: ProcessorMigration = {
  version: 3,
  name: 'the trace context of webhook deliveries',
  statements: (s) => [`ALTER TABLE ${s}.webhook_deliveries ADD COLUMN traceparent text`],
};
