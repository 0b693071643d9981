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

export const sendOnce = async (d: DueDelivery, settings: SendSettings): Promise<SendResult> => {
  const at = new Date();
  const started = performance.now();
  const attempt = d.attempts + 1;
  const retryOr = (error: string | null, status: number | null, atLeastMs = 0): SendResult => {
    const delay = nextDelayMs(settings.retryScheduleMs, attempt);
    const latencyMs = Math.round(performance.now() - started);
    return delay === undefined
      ? { at, status, error, latencyMs, outcome: { kind: 'failed' } }
      : {
          at,
          status,
          error,
          latencyMs,
          outcome: { kind: 'retry', next: new Date(Date.now() + Math.max(delay, atLeastMs)) },
        };
  };
  const checked = await checkReceiverUrl(d.url, settings.allowPrivateUrls);
  if (!checked.ok) return retryOr(`receiver URL refused: ${checked.reason}`, null);
  const id = webhookIdOf(d.id);
  const timestamp = Math.floor(Date.now() / 1000);
  // A client span of the command's trace: the receiver's work joins it.
  const span = startSpan('webhook delivery', {
    parent: d.traceparent ?? undefined,
    kind: 'client',
    attributes: {
      'http.request.method': 'POST',
      'newsroom.webhook_id': id,
      'newsroom.attempt': attempt,
    },
  });
  const result = await post(
    checked.url,
    d,
    settings,
    { id, timestamp, span },
    retryOr,
    started,
    at,
  );
  span?.set({
    'newsroom.outcome': result.outcome.kind,
    ...(result.status === null ? {} : { 'http.response.status_code': result.status }),
  });
  span?.end(result.outcome.kind !== 'delivered');
  return result;
};

/** One POST of the delivery and what its answer makes of it. */
const post = async (
  url: URL,
  d: DueDelivery,
  settings: SendSettings,
  request: {
    readonly id: string;
    readonly timestamp: number;
    readonly span: TraceSpan | undefined;
  },
  retryOr: (error: string | null, status: number | null, atLeastMs?: number) => SendResult,
  started: number,
  at: Date,
): Promise<SendResult> => {
  const { id, timestamp, span } = request;
  try {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      dispatcher: agentFor(settings.allowPrivateUrls),
      signal: AbortSignal.timeout(settings.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'newsroom-webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(d.secrets, id, timestamp, d.body),
        ...(span === undefined ? {} : { traceparent: span.traceparent }),
      },
      body: d.body,
    });
    await response.body?.cancel().catch(() => undefined); // the answer's body is never read
    const latencyMs = Math.round(performance.now() - started);
    const status = response.status;
    if (status >= 200 && status < 300)
      return { at, status, error: null, latencyMs, outcome: { kind: 'delivered' } };
    if (status === 410)
      return {
        at,
        status,
        error: 'receiver answered 410 Gone',
        latencyMs,
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
