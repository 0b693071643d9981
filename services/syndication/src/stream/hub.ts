/**
 * The live stream's clients in one process, fed by one reader of the syndication log: every
 * `pollMs` it reads the changes after the last one it saw and writes each to every live client
 * whose filters match. A client that resumes (Last-Event-ID) first catches up from the log on
 * its own, then joins the live ones with no gap and no repeat (each client keeps the last
 * number it was sent, and is sent only what comes after it). Heartbeats keep idle connections
 * open through proxies; past `maxClients` a client is refused.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { payloadOf } from '../changes/change.js';
import type { SyndicationEvent, SyndicationEventType } from '../changes/change.js';
import { readChangesAfter, readLastSeq } from '../changes/read-changes.js';

export interface StreamFilters {
  readonly sections: readonly string[];
  readonly languages: readonly string[];
  readonly types: readonly SyndicationEventType[];
}

export interface StreamClient {
  readonly filters: StreamFilters;
  /** Writes one SSE frame; false when the connection's buffer is full. */
  readonly write: (frame: string) => boolean;
  readonly end: () => void;
}

interface Attached {
  readonly client: StreamClient;
  cursor: number;
  live: boolean;
}

export interface HubOptions {
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
  readonly maxClients?: number;
}

export const matches = (f: StreamFilters, e: SyndicationEvent): boolean =>
  (f.sections.length === 0 || (e.section !== null && f.sections.includes(e.section))) &&
  (f.languages.length === 0 ||
    (e.language !== null && f.languages.includes(e.language.toLowerCase()))) &&
  (f.types.length === 0 || f.types.includes(e.type));

export const frameOf = (e: SyndicationEvent): string =>
  `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(payloadOf(e))}\n\n`;

export class TooManyClientsError extends Error {
  override readonly name = 'TooManyClientsError';
}

export const createStreamHub = (sql: SqlQueryable, schema: string, options: HubOptions = {}) => {
  const clients = new Set<Attached>();
  const maxClients = options.maxClients ?? 5_000;
  let last: number | undefined;
  let reading: Promise<void> | undefined;
  let stopped = false;

  const send = (a: Attached, e: SyndicationEvent) => {
    if (e.seq <= a.cursor) return;
    a.cursor = e.seq;
    if (matches(a.client.filters, e)) a.client.write(frameOf(e));
  };

  /** One read of the log past `last`, written to the live clients. */
  const poll = async () => {
    if (clients.size === 0 || stopped) return;
    if (last === undefined) last = await readLastSeq(sql, schema);
    for (;;) {
      const changes = await readChangesAfter(sql, schema, last);
      for (const e of changes) {
        last = e.seq;
        for (const a of clients) if (a.live) send(a, e);
      }
      if (changes.length < 500) return;
    }
  };
  const tick = () => {
    if (reading !== undefined) return;
    reading = poll()
      .catch(() => undefined) // the database away: the next tick tries again
      .finally(() => (reading = undefined));
  };
  const pollTimer = setInterval(tick, options.pollMs ?? 50);
  pollTimer.unref();
  const heartbeat = setInterval(() => {
    for (const a of clients) a.client.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    size: () => clients.size,
    /**
     * Attaches a client from `resumeAfter` (a Last-Event-ID; undefined: from now on). Resolves
     * once it is live; rejects with TooManyClientsError past the limit.
     */
    /** Whether another client can attach now. */
    full: () => clients.size >= maxClients,
    /**
     * Attaches a client from `resumeAfter` (a Last-Event-ID; undefined: from now on), at once
     * (throws TooManyClientsError past the limit), and resolves once it has caught up and is
     * live. The returned function detaches it.
     */
    attach: (client: StreamClient, resumeAfter: number | undefined) => {
      if (clients.size >= maxClients)
        throw new TooManyClientsError(`${maxClients} clients already`);
      const a: Attached = { client, cursor: resumeAfter ?? Number.MAX_SAFE_INTEGER, live: false };
      clients.add(a);
      const detach = () => void clients.delete(a);
      const caughtUp = (async () => {
        if (resumeAfter === undefined) a.cursor = last ?? (last = await readLastSeq(sql, schema));
        // Catch up from the log until the reader's position, then go live in the same turn (no
        // await between the last check and the switch: nothing is sent twice or missed).
        for (;;) {
          const upTo = last ?? (last = await readLastSeq(sql, schema));
          if (a.cursor >= upTo) break;
          const changes = await readChangesAfter(sql, schema, a.cursor);
          for (const e of changes) if (e.seq <= (last ?? 0)) send(a, e);
          if (changes.length === 0) break;
        }
        a.live = true;
        tick();
      })();
      return { detach, caughtUp };
    },
    stop: async () => {
      stopped = true;
      clearInterval(pollTimer);
      clearInterval(heartbeat);
      await reading;
      for (const a of clients) a.client.end();
      clients.clear();
    },
  };
};

export type StreamHub = ReturnType<typeof createStreamHub>;
