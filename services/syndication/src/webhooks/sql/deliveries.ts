/** The deliveries table: due ones claimed by the sender, attempts recorded, the log, redelivery. */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';

export interface DueDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly secrets: readonly string[];
  readonly body: string;
  readonly attempts: number;
  /** The trace context of the command behind it (sent continued by a span of the sender's). */
  readonly traceparent: string | null;
}

/**
 * Claims the deliveries due now, oldest first: at most `perSubscription` of one subscription
 * (a dead receiver with a backlog cannot take every slot), and for each subscription and
 * article only the oldest one still pending (a later change to an article waits for the
 * earlier one to be delivered or to fail, so each subscription sees an article's changes in
 * order). Claiming moves each one's next attempt `leaseMs` ahead, atomically: no other sender
 * (an instance that took over the lock) claims it while this one sends, and one cut off
 * mid-send is tried again once the lease ends.
 */
export const claimDeliveries = async (
  sql: SqlQueryable,
  schema: string,
  limits: { readonly total: number; readonly perSubscription: number; readonly leaseMs: number },
): Promise<DueDelivery[]> => {
  const s = quoteIdent(schema);
  const { rows } = await sql.query<{
    id: string;
    subscription_id: string;
    url: string;
    secret: string;
    previous: string | null;
    body: string;
    attempts: number;
    traceparent: string | null;
  }>(
    `WITH due AS (
       SELECT d.id, d.next_attempt_at, d.seq,
              row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.seq) AS n
         FROM ${s}.webhook_deliveries d JOIN ${s}.webhook_subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.status = 'active'
          AND NOT EXISTS (
            SELECT 1 FROM ${s}.webhook_deliveries e
             WHERE e.subscription_id = d.subscription_id AND e.article_id = d.article_id
               AND e.status = 'pending' AND e.seq < d.seq)),
     picked AS (
       SELECT id FROM due WHERE n <= $2 ORDER BY next_attempt_at, seq LIMIT $1)
     UPDATE ${s}.webhook_deliveries d
        SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
       FROM picked, ${s}.webhook_subscriptions s
      WHERE d.id = picked.id AND s.id = d.subscription_id
        AND d.status = 'pending' AND d.next_attempt_at <= now()
      RETURNING d.id::text AS id, d.subscription_id::text AS subscription_id, s.url, s.secret,
                CASE WHEN s.previous_until > now() THEN s.previous_secret END AS previous,
                d.body, d.attempts, d.traceparent`,
    [limits.total, limits.perSubscription, limits.leaseMs],
  );
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    url: r.url,
    secrets: r.previous === null ? [r.secret] : [r.secret, r.previous],
    body: r.body,
    attempts: r.attempts,
    traceparent: r.traceparent,
  }));
};

export interface Attempt {
  readonly deliveryId: string;
  readonly n: number;
  readonly at: Date;
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
  /** What the delivery becomes: delivered, failed, or pending again at `next`. */
  readonly outcome:
    { readonly kind: 'delivered' | 'failed' } | { readonly kind: 'retry'; readonly next: Date };
}

/** One attempt and the delivery's new state, in one transaction. */
export const recordAttempt = async (
  sql: SqlQueryable,
  schema: string,
  a: Attempt,
): Promise<void> => {
  const s = quoteIdent(schema);
  await sql.query(
    `INSERT INTO ${s}.webhook_attempts (delivery_id, n, at, status, error, latency_ms)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [a.deliveryId, a.n, a.at.toISOString(), a.status, a.error, a.latencyMs],
  );
  await sql.query(
    `UPDATE ${s}.webhook_deliveries
        SET attempts = $2, last_status = $3, last_error = $4, last_latency_ms = $5,
            status = $6, next_attempt_at = COALESCE($7::timestamptz, next_attempt_at),
            finished_at = CASE WHEN $6 = 'pending' THEN NULL ELSE now() END
      WHERE id = $1 AND status = 'pending'`,
    [
      a.deliveryId,
      a.n,
      a.status,
      a.error,
      a.latencyMs,
      a.outcome.kind === 'retry' ? 'pending' : a.outcome.kind,
      a.outcome.kind === 'retry' ? a.outcome.next.toISOString() : null,
    ],
  );
};

export interface DeliveryView {
  readonly id: string;
  readonly webhookId: string;
  readonly eventType: string;
  readonly articleId: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: readonly {
    readonly n: number;
    readonly at: string;
    readonly status: number | null;
    readonly error: string | null;
    readonly latencyMs: number;
  }[];
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** The newest deliveries of a subscription, with every attempt. */
export const listDeliveries = async (
  sql: SqlQueryable,
  schema: string,
  subscriptionId: string,
  limit = 100,
): Promise<DeliveryView[]> => {
  const s = quoteIdent(schema);
  const { rows } = await sql.query<{
    id: string;
    event_type: string;
    article_id: string;
    status: DeliveryView['status'];
    next_attempt_at: string;
    created_at: string;
    finished_at: string | null;
    attempts: string;
  }>(
    `SELECT d.id::text AS id, d.event_type, d.article_id::text AS article_id, d.status,
            ${utcMillis('d.next_attempt_at')} AS next_attempt_at, ${utcMillis('d.created_at')} AS created_at,
            ${utcMillis('d.finished_at')} AS finished_at,
            COALESCE((SELECT json_agg(json_build_object('n', a.n, 'at', ${utcMillis('a.at')},
                        'status', a.status, 'error', a.error, 'latencyMs', a.latency_ms) ORDER BY a.n)
                        FROM ${s}.webhook_attempts a WHERE a.delivery_id = d.id), '[]')::text AS attempts
       FROM ${s}.webhook_deliveries d
      WHERE d.subscription_id = $1
      ORDER BY d.seq DESC LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    webhookId: webhookIdOf(r.id),
    eventType: r.event_type,
    articleId: r.article_id,
    status: r.status,
    attempts: JSON.parse(r.attempts) as DeliveryView['attempts'],
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  }));
};

export type Redelivery = 'queued' | 'missing' | 'inactive' | 'superseded';

/**
 * A delivery made to go again, now (its attempts so far stay in the log): refused for a
 * subscription no longer active, and for a delivery a later one of the same article has
 * followed (sending it again would put an older version after a newer one, or bring back a
 * text since withdrawn).
 */
export const redeliver = async (
  sql: SqlQueryable,
  schema: string,
  subscriptionId: string,
  deliveryId: string,
): Promise<Redelivery> => {
  const s = quoteIdent(schema);
  const { rows } = await sql.query<{ active: boolean; superseded: boolean; queued: boolean }>(
    `WITH target AS (
       SELECT d.id, s.status = 'active' AS active,
              EXISTS (SELECT 1 FROM ${s}.webhook_deliveries e
                       WHERE e.subscription_id = d.subscription_id AND e.article_id = d.article_id
                         AND e.seq > d.seq) AS superseded
         FROM ${s}.webhook_deliveries d JOIN ${s}.webhook_subscriptions s ON s.id = d.subscription_id
        WHERE d.id = $1 AND d.subscription_id = $2 AND s.status <> 'deleted'),
     queued AS (
       UPDATE ${s}.webhook_deliveries d
          SET status = 'pending', next_attempt_at = now(), finished_at = NULL
         FROM target WHERE d.id = target.id AND target.active AND NOT target.superseded
       RETURNING d.id)
     SELECT target.active, target.superseded, EXISTS (SELECT 1 FROM queued) AS queued FROM target`,
    [deliveryId, subscriptionId],
  );
  const row = rows[0];
  if (row === undefined) return 'missing';
  if (row.queued) return 'queued';
  return row.active ? 'superseded' : 'inactive';
};

/** The webhook-id of a delivery: the same on every attempt and every redelivery. */
export const webhookIdOf = (deliveryId: string): string => `msg_${deliveryId.replace(/-/g, '')}`;
