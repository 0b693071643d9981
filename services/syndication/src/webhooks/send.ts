/**
 * One attempt of one delivery: the receiver's URL checked again, the body signed with every
 * live secret under a fresh timestamp and the delivery's stable webhook-id, POSTed with a
 * timeout and never following a redirect. The answer decides what comes next:
 * 2xx delivered; 410 Gone disables the subscription; 429 and 5xx are retried no sooner than
 * their Retry-After; anything else (another status, a redirect, a timeout, a network error) is
 * retried on the schedule; after the schedule's last step the delivery has failed.
 */
import { Agent, fetch } from 'undici';
import { startSpan } from '@newsroom/service-kit';
import type { TraceSpan } from '@newsroom/service-kit';
import type { DueDelivery } from './sql/deliveries.js';
import { webhookIdOf } from './sql/deliveries.js';
import { signatureHeader } from './signature.js';
import { checkReceiverUrl, guardedLookup } from './url-check.js';

/** Connections that go only where the lookup allows (see guardedLookup), per setting. */
const agents = new Map<boolean, Agent>();
const agentFor = (allowPrivate: boolean): Agent => {
  let agent = agents.get(allowPrivate);
  if (agent === undefined) {
    agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate) } });
    agents.set(allowPrivate, agent);
  }
  return agent;
};

/** A Retry-After past this is read as this: a receiver cannot park a delivery for years. */
const MAX_RETRY_AFTER_MS = 86_400_000;

export interface SendSettings {
  readonly allowPrivateUrls: boolean;
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
}

export type SendOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'retry'; readonly next: Date }
  | { readonly kind: 'gone' };

export interface SendResult {
  readonly at: Date;
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
  readonly outcome: SendOutcome;
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export const retryAfterMs = (header: string | null, now: number): number | undefined => {
  if (header === null) return undefined;
  if (/^\d{1,9}$/.test(header.trim())) {
    return Math.min(MAX_RETRY_AFTER_MS, Number(header.trim()) * 1000);
  }
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
};

/** The next attempt after `attempt` (1-based) failed: the schedule's step, with ±20 % jitter. */
export const nextDelayMs = (schedule: readonly number[], attempt: number): number | undefined => {
  const step = schedule[attempt];
  if (step === undefined) return undefined;
  return Math.round(step * (0.8 + Math.random() * 0.4));
};

/** One attempt's clock: when it began, how long it has taken, and a retry or a failure. */
const attemptOf = (settings: SendSettings, attempt: number) => {
  const at = new Date();
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const retryOr = (error: string | null, status: number | null, atLeastMs = 0): SendResult => {
    const delay = nextDelayMs(settings.retryScheduleMs, attempt);
    return delay === undefined
      ? { at, status, error, latencyMs: latencyMs(), outcome: { kind: 'failed' } }
      : {
          at,
          status,
          error,
          latencyMs: latencyMs(),
          outcome: { kind: 'retry', next: new Date(Date.now() + Math.max(delay, atLeastMs)) },
        };
  };
  return { at, latencyMs, retryOr };
};
type Attempt = ReturnType<typeof attemptOf>;

export const sendOnce = async (d: DueDelivery, settings: SendSettings): Promise<SendResult> => {
  const attempt = attemptOf(settings, d.attempts + 1);
  const checked = await checkReceiverUrl(d.url, settings.allowPrivateUrls);
  if (!checked.ok) return attempt.retryOr(`receiver URL refused: ${checked.reason}`, null);
  const id = webhookIdOf(d.id);
  // A client span of the command's trace: the receiver's work joins it.
  const span = startSpan('webhook delivery', {
    parent: d.traceparent ?? undefined,
    kind: 'client',
    attributes: {
      'http.request.method': 'POST',
      'newsroom.webhook_id': id,
      'newsroom.attempt': d.attempts + 1,
    },
  });
  let result: SendResult | undefined;
  try {
    result = await answerOf(checked.url, d, settings, signedHeaders(d, id, span), attempt);
    return result;
  } finally {
    span?.set({
      'newsroom.outcome': result?.outcome.kind ?? 'not recorded',
      ...(result?.status == null ? {} : { 'http.response.status_code': result.status }),
    });
    span?.end(result?.outcome.kind !== 'delivered');
  }
};

/** The request's headers: Standard Webhooks' signature under a fresh timestamp, the trace. */
const signedHeaders = (
  d: DueDelivery,
  id: string,
  span: TraceSpan | undefined,
): Record<string, string> => {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'newsroom-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(d.secrets, id, timestamp, d.body),
    ...(span === undefined ? {} : { traceparent: span.traceparent }),
  };
};

/** One POST of the delivery and what its answer (or its lack of one) makes of it. */
const answerOf = async (
  url: URL,
  d: DueDelivery,
  settings: SendSettings,
  headers: Record<string, string>,
  attempt: Attempt,
): Promise<SendResult> => {
  const { at, latencyMs, retryOr } = attempt;
  try {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      dispatcher: agentFor(settings.allowPrivateUrls),
      signal: AbortSignal.timeout(settings.timeoutMs),
      headers,
      body: d.body,
    });
    await response.body?.cancel().catch(() => undefined); // the answer's body is never read
    const status = response.status;
    if (status >= 200 && status < 300)
      return { at, status, error: null, latencyMs: latencyMs(), outcome: { kind: 'delivered' } };
    if (status === 410)
      return {
        at,
        status,
        error: 'receiver answered 410 Gone',
        latencyMs: latencyMs(),
        outcome: { kind: 'gone' },
      };
    if (status === 429 || status >= 500) {
      return retryOr(
        `receiver answered ${status}`,
        status,
        retryAfterMs(response.headers.get('retry-after'), Date.now()) ?? 0,
      );
    }
    if (status >= 300 && status < 400)
      return retryOr(`receiver redirected (${status}); redirects are not followed`, status);
    return retryOr(`receiver answered ${status}`, status);
  } catch (error) {
    const name = (error as Error).name;
    return retryOr(
      name === 'TimeoutError'
        ? `no answer within ${settings.timeoutMs} ms`
        : `could not reach the receiver: ${String((error as Error).message)}`,
      null,
    );
  }
};
