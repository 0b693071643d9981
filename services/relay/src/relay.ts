/**
 * The relay: a processor that tails the event store's global log and publishes every article
 * event on `newsroom.article-events.v1`, in log order, keyed by article id (so each article's
 * events keep their stream order on one partition). One send per batch; the position moves
 * only after the broker acknowledged the whole batch, in a short transaction of its own: no
 * transaction is open while it waits on the broker. A crash between the two sends the batch
 * again (the consumers' processed marks absorb it). One instance is active at a time; a
 * standby takes over when its lock frees.
 */
import { ARTICLE_EVENTS_TOPIC } from '@newsroom/contracts';
import { articleEventRecord } from '@newsroom/messaging';
import type { Publisher } from '@newsroom/messaging';
import { ack, handlesAll } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export const RELAY_NAME = 'relay';

export interface RelayOptions {
  readonly publisher: Publisher;
  /** Its schema (progress and lock live there). */
  readonly schema: string;
  readonly registry: Registry;
  readonly topic?: string;
  /** Events per batch, and so per send (default 500). */
  readonly batchSize?: number;
}

/** Bytes of values per send at most: under the broker's 1 MB record batch whatever the keys. */
export const MAX_SEND_BYTES = 512 * 1024;

/** The batch in order, cut where a send would grow past `maxBytes` (one record alone may). */
export const bySendSize = <M extends { readonly value: string }>(
  messages: readonly M[],
  maxBytes: number,
): M[][] => {
  const sends: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.value);
    if (current.length > 0 && bytes + size > maxBytes) {
      sends.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) sends.push(current);
  return sends;
};

export const relayProcessor = (options: RelayOptions): Processor => {
  const topic = options.topic ?? ARTICLE_EVENTS_TOPIC;
  const sent = new Counter({
    name: 'relay_messages_total',
    help: 'Article events the broker acknowledged',
    registers: [options.registry],
  });
  const sendSeconds = new Histogram({
    name: 'relay_send_seconds',
    help: 'Time from one batch send to the broker acknowledging it',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [options.registry],
  });
  return {
    name: RELAY_NAME,
    version: 1,
    schema: options.schema,
    canHandle: handlesAll,
    migrations: [],
    effects: 'external',
    source: 'store',
    // A stored event it cannot read (written by a newer version) holds it, reported failing:
    // passing over it would leave a gap on the topic that no consumer could see.
    undecodable: 'hold',
    batchSize: options.batchSize ?? 500,
    handle: async (batch) => {
      // One send per batch, cut by size only when it would not fit; in order either way.
      for (const send of bySendSize(batch.map(articleEventRecord), MAX_SEND_BYTES)) {
        const stopTimer = sendSeconds.startTimer();
        await options.publisher.send(topic, send);
        stopTimer();
      }
      sent.inc(batch.length);
      return ack;
    },
    // Nothing of its own to drop: a rebuild sends the whole log again.
    truncate: async () => undefined,
  };
};
