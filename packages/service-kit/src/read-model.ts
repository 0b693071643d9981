/**
 * What every read model's HTTP side shares: paging by an opaque cursor (the last entry's
 * instant and article id), the `limit` and `cursor` query parameters, a query string decoded by
 * one codec into field errors, and a 503 (not a 500) while the read model cannot answer.
 */
import type { Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { fieldErrorsOf, patternText, Uuid } from '@newsroom/contracts';
import type { FieldError } from '@newsroom/contracts';
import { sqlState } from '@newsroom/event-store';
import { isConnectionFailure } from '@newsroom/processing';
import { problem, sendProblem } from './problem.js';
import type { SqlQueryable } from '@newsroom/event-store';

export const PageLimit = patternText(
  'Limit',
  /^(?:[1-9]\d?|100)$/,
  3,
  'expected a whole number 1..100',
);
export const PageCursor = patternText(
  'Cursor',
  /^[A-Za-z0-9_-]{1,200}$/,
  200,
  'expected a cursor from `next`',
);

/** Where a page ended: the last entry's instant (UTC, milliseconds) and its article id. */
export interface PageMark {
  readonly at: string;
  readonly id: string;
}

export const encodeCursor = (c: PageMark): string =>
  Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');

export const decodeCursor = (text: string): PageMark | undefined => {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    // Exactly what this module writes: a UTC instant in milliseconds that round-trips, and a
    // UUID; anything else is refused here, never handed to SQL casts.
    if (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at)) {
      return undefined;
    }
    if (Number.isNaN(Date.parse(at)) || new Date(at).toISOString() !== at) return undefined;
    if (at < '0001') return undefined; // PostgreSQL has no year 0: its cast would fail
    if (typeof id !== 'string' || !Uuid.is(id)) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
};

/** A query string decoded by `codec`, its cursor (if any) checked too; or the field paths. */
export const decodePageQuery = <A extends { readonly cursor?: string }>(
  codec: t.Decoder<unknown, A>,
  query: unknown,
): Either<readonly FieldError[], A> => {
  const decoded = codec.decode(query);
  if (E.isLeft(decoded)) return E.left(fieldErrorsOf(decoded.left).errors);
  if (decoded.right.cursor !== undefined && decodeCursor(decoded.right.cursor) === undefined) {
    return E.left([{ path: 'cursor', message: 'expected a cursor from `next`' }]);
  }
  return E.right(decoded.right);
};

/** SQL for a timestamp column as the cursor keeps it (UTC, milliseconds, `Z`). */
export const utcMillis = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The read model cannot answer now, which is not the request's fault: its table not made yet
 * (the process has just started: 42P01), the connection lost or refused (class 08, or
 * node-postgres' code-less errors), the server shutting down or out of resources (57P0x, 53).
 * Anything else (a query this code got wrong) is a bug, answered 500 and logged as one.
 */
const unavailable = (error: unknown): boolean => {
  const state = sqlState(error);
  if (state !== undefined) return /^(42P01|08...|57P0.|53...)$/.test(state);
  return isConnectionFailure(error);
};

/** Runs `answer`, which reads the read model and sends the response; a 503 with Retry-After
 *  while the read model is unavailable. */
export const answerFromReadModel = async (
  res: Response,
  what: string,
  answer: () => Promise<void>,
): Promise<void> => {
  try {
    await answer();
  } catch (error) {
    if (!unavailable(error)) throw error;
    res.setHeader('Retry-After', '1');
    sendProblem(res, problem(503, 'Service Unavailable', `${what} cannot answer now`));
  }
};

/** The query's field errors as a 400. */
export const sendInvalidQuery = (res: Response, errors: readonly FieldError[]): void =>
  sendProblem(res, problem(400, 'Invalid Query', 'the query parameters are invalid', { errors }));

/** What a page is read from: a table (aliased), its conditions and their values so far. */
export interface PageSource {
  readonly select: string;
  readonly from: string;
  readonly where: readonly string[];
  readonly params: readonly unknown[];
  /** The instant and the article id the page is ordered by, newest first (SQL over the alias). */
  readonly at: string;
  readonly id: string;
}

/**
 * One page of `source`, newest first, after the cursor (`query.cursor`, from a `next`), at most
 * `query.limit` rows (1..100, default 20); `next` when there are more.
 */
export const readPage = async <R>(
  sql: SqlQueryable,
  source: PageSource,
  query: { readonly limit?: string; readonly cursor?: string },
): Promise<{ readonly rows: readonly R[]; readonly next?: string }> => {
  const limit = Number(query.limit ?? 20);
  const params = [...source.params];
  const where = [...source.where];
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (cursor !== undefined) {
    params.push(cursor.at, cursor.id);
    where.push(
      `(${source.at}, ${source.id}) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(limit + 1);
  const { rows } = await sql.query<R & { page_at: string | null; page_id: string }>(
    `SELECT ${source.select}, ${utcMillis(source.at)} AS page_at, ${source.id}::text AS page_id
       FROM ${source.from}
      WHERE ${where.length === 0 ? 'true' : where.join(' AND ')}
      ORDER BY ${source.at} DESC, ${source.id} DESC
      LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return rows.length > limit && last?.page_at
    ? { rows: page, next: encodeCursor({ at: last.page_at, id: last.page_id }) }
    : { rows: page };
};
