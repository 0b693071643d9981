/**
 * The audit service's own log of who asked what, when: every request an auditor or admin
 * makes (and every one refused for its role) is recorded before it is answered, in the
 * append-only `audit_requests` table. A request that cannot be recorded is not answered (503).
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';

export interface RequestEntry {
  readonly at: Date;
  readonly actor: string;
  readonly role: string;
  readonly method: string;
  /** The path and query string, at most 2,000 characters. */
  readonly path: string;
  readonly correlationId: string;
}

export const recordRequest = async (
  db: SqlQueryable,
  schema: string,
  entry: RequestEntry,
): Promise<void> => {
  await db.query(
    `INSERT INTO ${schema}.audit_requests (at, actor, role, method, path, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      entry.at.toISOString(),
      entry.actor,
      entry.role,
      entry.method,
      entry.path.slice(0, 2_000),
      entry.correlationId,
    ],
  );
};

export interface RecordedRequest extends Omit<RequestEntry, 'at'> {
  readonly id: number;
  readonly at: string;
}

/** Newest first, before id `before`, of one actor when given. */
export const readRequests = async (
  db: SqlQueryable,
  schema: string,
  query: { readonly before: number; readonly limit: number; readonly actor?: string },
): Promise<RecordedRequest[]> => {
  const { rows } = await db.query<{
    id: string;
    at: string;
    actor: string;
    role: string;
    method: string;
    path: string;
    correlation_id: string;
  }>(
    `SELECT r.id::text AS id, ${utcMillis('r.at')} AS at, r.actor, r.role, r.method, r.path, r.correlation_id
       FROM ${schema}.audit_requests r
      WHERE r.id < $1 AND ($3::text IS NULL OR r.actor = $3)
      ORDER BY r.id DESC LIMIT $2`,
    [query.before, query.limit, query.actor ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    role: r.role,
    method: r.method,
    path: r.path,
    correlationId: r.correlation_id,
  }));
};
