// Waiting on a condition or an operation, for scripts and tests (never a fixed sleep).

export interface WaitOptions {
  /** Named in the timeout error: "timed out after N ms waiting for <description>". */
  readonly description?: string;
  /** Pause between two checks, ms; default 25. */
  readonly intervalMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `condition` until it returns a value other than undefined, null or false, and returns
 * that value; throws {@link WaitTimeoutError} after `timeoutMs`. An error thrown by the condition
 * is not retried: it ends the wait (use {@link retryUntil} for operations that may fail).
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const intervalMs = options.intervalMs ?? 25;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}`,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Runs `attempt` until it resolves, pausing between failures (100 ms, doubling up to 1 s), and
 * returns its result. After `timeoutMs` it stops, also cutting short an attempt still running,
 * and throws a {@link WaitTimeoutError} that carries the last failure as its cause.
 */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let pauseMs = options.intervalMs ?? 100;
  let lastError: unknown = undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), remaining);
    });
    const running = attempt().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const outcome = await Promise.race([running, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') break;
    if (outcome.ok) return outcome.value;
    lastError = outcome.error;
    await sleep(Math.min(pauseMs, Math.max(0, deadline - Date.now())));
    pauseMs = Math.min(pauseMs * 2, 1000);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new WaitTimeoutError(
    `timed out after ${timeoutMs} ms waiting for ${options.description ?? 'an operation'}${reason}`,
    { cause: lastError },
  );
}
