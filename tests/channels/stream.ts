/**
 * The live stream as a consumer reads it, through the `eventsource` package (an EventSource
 * implementation independent of the server): every event of the named types, with its id and
 * parsed payload, and a resume point.
 */
import { EventSource } from 'eventsource';
import { arrivals } from './arrivals.js';

export interface StreamEvent {
  readonly id: string;
  readonly type: string;
  readonly payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface StreamReader {
  readonly events: StreamEvent[];
  /** Resolves once `n` events have arrived (rejects after `timeoutMs`). */
  readonly until: (n: number, timeoutMs?: number) => Promise<void>;
  readonly close: () => void;
}

const TYPES = [
  'article.published',
  'article.corrected',
  'article.unpublished',
  'article.retracted',
];

export const readStream = async (
  url: string,
  options: { readonly lastEventId?: string } = {},
): Promise<StreamReader> => {
  const events: StreamEvent[] = [];
  const arrived = arrivals(events, 'stream');
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...(init?.headers as Record<string, string>),
          ...(options.lastEventId === undefined ? {} : { 'Last-Event-ID': options.lastEventId }),
        },
      }),
  });
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      events.push({
        id: e.lastEventId,
        type,
        payload: JSON.parse(e.data as string) as StreamEvent['payload'],
      });
      arrived.notify();
    });
  }
  await new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (e) =>
      reject(new Error(`stream error: ${String((e as { message?: string }).message)}`));
  });
  source.onerror = () => undefined; // reconnects on its own from here
  return {
    events,
    until: (n, timeoutMs = 15_000) => arrived.until((e) => e.length >= n, timeoutMs),
    close: () => source.close(),
  };
};
