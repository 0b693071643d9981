/**
 * How a failing batch is retried: exponential backoff with full jitter (a random pause up to
 * the doubled delay, so that instances failing together do not retry together), and which
 * failures are the infrastructure's (never a reason to dead-letter a message).
 */
import { sqlState } from '@newsroom/event-store';

export interface RetryPolicy {
  /** Attempts of one batch (and then of each of its messages) before giving up on it. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 10_000 };

/** The pause before attempt `attempt + 1` (attempt counts from 1). */
export const backoffDelay = (
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
};

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A failure of the database or the network rather than of the message: anything PostgreSQL
 * refused for a reason other than the data it was given (a connection lost, the server
 * shutting down, a serialization failure, a table missing), or a socket error. Retried without
 * end, with the processor reported not ready meanwhile; a message is never dead-lettered for
 * it. Data exceptions (22) and constraint violations (23) are the message's, as is any error a
 * handler throws itself.
 */
export const isSystemic = (error: unknown): boolean => {
  const state = sqlState(error);
  if (state !== undefined && /^[0-9A-Z]{5}$/.test(state)) {
    return !state.startsWith('22') && !state.startsWith('23');
  }
  return isConnectionFailure(error);
};

/** A socket error, or node-postgres' report of a broken or unavailable connection (it has no
 *  code). */
export const isConnectionFailure = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|ENETUNREACH)/.test(code)
  ) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return NODE_POSTGRES_CONNECTION.test(message);
};

const NODE_POSTGRES_CONNECTION =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout|Connection ended/i;
