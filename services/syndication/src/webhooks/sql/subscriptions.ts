/** The subscriptions table: made, listed, read, deleted, its secret rotated or disabled. */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';
import type { NewSubscription, SubscriptionView } from '../subscription.js';

interface Row {
  readonly id: string;
  readonly url: string;
  readonly sections: string[];
  readonly languages: string[];
  readonly event_types: string[];
  readonly status: 'active' | 'disabled';
  readonly disabled_reason: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly previous_until: string | null;
}

const COLUMNS = `id::text AS id, url, sections, languages, event_types, status, disabled_reason,
  created_by, ${utcMillis('created_at')} AS created_at,
  CASE WHEN previous_until > now() THEN ${utcMillis('previous_until')} END AS previous_until`;

const viewOf = (r: Row): SubscriptionView => ({
  id: r.id,
  url: r.url,
  sections: r.sections,
  languages: r.languages,
  eventTypes: r.event_types,
  status: r.status,
  disabledReason: r.disabled_reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  previousSecretUntil: r.previous_until,
});

const table = (schema: string) => `${quoteIdent(schema)}.webhook_subscriptions`;

export const insertSubscription = async (
  sql: SqlQueryable,
  schema: string,
  s: NewSubscription & { readonly id: string; readonly secret: string; readonly createdBy: string },
): Promise<SubscriptionView> => {
  const { rows } = await sql.query<Row>(
    `INSERT INTO ${table(schema)} (id, url, sections, languages, event_types, secret, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [
      s.id,
      s.url,
      s.sections ?? [],
      (s.languages ?? []).map((l) => l.toLowerCase()),
      s.eventTypes ?? [],
      s.secret,
      s.createdBy,
    ],
  );
  return viewOf(rows[0]!);
};

export const listSubscriptions = async (
  sql: SqlQueryable,
  schema: string,
): Promise<SubscriptionView[]> =>
  (
    await sql.query<Row>(
      `SELECT ${COLUMNS} FROM ${table(schema)} WHERE status <> 'deleted' ORDER BY created_at, id`,
    )
  ).rows.map(viewOf);

export const readSubscription = async (
  sql: SqlQueryable,
  schema: string,
  id: string,
): Promise<SubscriptionView | undefined> => {
  const { rows } = await sql.query<Row>(
    `SELECT ${COLUMNS} FROM ${table(schema)} WHERE id = $1 AND status <> 'deleted'`,
    [id],
  );
  return rows[0] === undefined ? undefined : viewOf(rows[0]);
};

/** Deleted: it gets nothing more, and what was waiting for it is failed. */
export const deleteSubscription = async (
  sql: SqlQueryable,
  schema: string,
  id: string,
): Promise<boolean> => {
  const { rows } = await sql.query<{ id: string }>(
    `WITH gone AS (
       UPDATE ${table(schema)} SET status = 'deleted' WHERE id = $1 AND status <> 'deleted' RETURNING id),
     failed AS (
       UPDATE ${quoteIdent(schema)}.webhook_deliveries d
          SET status = 'failed', last_error = 'subscription deleted', finished_at = now()
         FROM gone WHERE d.subscription_id = gone.id AND d.status = 'pending')
     SELECT id::text AS id FROM gone`,
    [id],
  );
  return rows.length > 0;
};

/** A new secret; the current one keeps signing too until `graceMs` from now. */
export const rotateSecret = async (
  sql: SqlQueryable,
  schema: string,
  id: string,
  secret: string,
  graceMs: number,
): Promise<SubscriptionView | undefined> => {
  const { rows } = await sql.query<Row>(
    `UPDATE ${table(schema)}
        SET previous_secret = secret, secret = $2,
            previous_until = now() + make_interval(secs => $3::double precision / 1000)
      WHERE id = $1 AND status <> 'deleted' RETURNING ${COLUMNS}`,
    [id, secret, graceMs],
  );
  return rows[0] === undefined ? undefined : viewOf(rows[0]);
};

/** The receiver answered 410 Gone: nothing more is sent to it. */
export const disableSubscription = async (
  sql: SqlQueryable,
  schema: string,
  id: string,
  reason: string,
): Promise<void> => {
  await sql.query(
    `UPDATE ${table(schema)} SET status = 'disabled', disabled_reason = $2
      WHERE id = $1 AND status = 'active'`,
    [id, reason],
  );
};
