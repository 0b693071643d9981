/**
 * The live stream's clients in one process, fed by one reader of the syndication log: every
 * `pollMs` it reads the changes after the last one it saw and writes each to every live client
 * whose filters match. A client that resumes (Last-Event-ID) first catches up from the log on
 * its own, page by page, waiting for its connection to drain between pages, then joins the
 * live ones with no gap and no repeat (each client keeps the last number it was sent, and is
 * sent only what comes after it). A client that connects without one starts at the log's head
 * read at that moment. A live client whose connection holds more than `maxBufferedBytes`
 * unsent is ended (it resumes from its Last-Event-ID), so a stuck reader holds no memory.
 * Heartbeats keep idle connections open through proxies; past `maxClients` one is refused.
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
  /** Writes one SSE frame. */
  readonly write: (frame: string) => void;
  /** Bytes written but not yet sent. */
  readonly buffered: () => number;
  /** Resolves once what was written has been sent. */
  readonly drained: () => Promise<void>;
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
  readonly maxBufferedBytes?: number;
  /** The log's head as a clock already reads it (log-clock.ts): read here when unset. */
  readonly head?: () => number | undefined;
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

const PAGE = 500;

export const createStreamHub = (sql: SqlQueryable, schema: string, options: HubOptions = {}) => {
  const clients = new Set<Attached>();
  const maxClients = options.maxClients ?? 5_000;
  const maxBuffered = options.maxBufferedBytes ?? 1_048_576;
  /** The last number the reader has handed to the live clients. */
  let last: number | undefined;
  let reading: Promise<void> | undefined;
  let stopped = false;

  const drop = (a: Attached) => {
    clients.delete(a);
    a.client.end();
  };
  const send = (a: Attached, e: SyndicationEvent) => {
    if (e.seq <= a.cursor) return;
    a.cursor = e.seq;
    if (!matches(a.client.filters, e)) return;
    a.client.write(frameOf(e));
    if (a.live && a.client.buffered() > maxBuffered) drop(a);
  };

  /** One read of the log past `last`, written to the live clients. */
  const poll = async () => {
    if (stopped) return;
    if (last === undefined || clients.size === 0) {
      // Nobody live to send to: keep up with the head, unless a client came meanwhile (its
      // catch-up then sets where the reader goes on from).
      // A clock's reading may be a poll old: safe, since a client's catch-up reads the head
      // itself and is sent nothing at or before it.
      const head = options.head?.() ?? (await readLastSeq(sql, schema));
      if (clients.size === 0) last = head;
      return;
    }
    for (;;) {
      const changes = await readChangesAfter(sql, schema, last, PAGE);
      for (const e of changes) {
        last = e.seq;
        for (const a of clients) if (a.live) send(a, e);
      }
      if (changes.length < PAGE) return;
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

  /** Catches `a` up from the log to the reader's position, then makes it live. */
  const catchUp = async (a: Attached, resumeAfter: number | undefined) => {
    const head = await readLastSeq(sql, schema);
    // From now on, or from an id past the log's head (another log's, or a rebuild's): the head.
    a.cursor = resumeAfter === undefined || resumeAfter > head ? head : resumeAfter;
    for (;;) {
      // Go live in the same turn as the last check: nothing sent twice, nothing missed.
      if (last !== undefined && a.cursor >= last) break;
      const upTo = last ?? head;
      const changes = await readChangesAfter(sql, schema, a.cursor, PAGE);
      const page = changes.filter((e) => e.seq <= upTo);
      for (const e of page) send(a, e);
      if (!clients.has(a)) return; // it went away meanwhile
      await a.client.drained();
      if (page.length === 0 && last === undefined) last = upTo;
    }
    a.live = true;
    tick();
  };

  return {
    size: () => clients.size,
    /** Whether another client can attach now. */
    full: () => clients.size >= maxClients,
    /**
     * Attaches a client from `resumeAfter` (a Last-Event-ID; undefined: from now on), at once
     * (throws TooManyClientsError past the limit); it catches up and goes live in the
     * background, and is ended if the log cannot be read meanwhile. Returns its detach.
     */
    attach: (client: StreamClient, resumeAfter: number | undefined): (() => void) => {
      if (clients.size >= maxClients)
        throw new TooManyClientsError(`${maxClients} clients already`);
      const a: Attached = { client, cursor: Number.MAX_SAFE_INTEGER, live: false };
      clients.add(a);
      catchUp(a, resumeAfter).catch(() => drop(a)); // it reconnects with its Last-Event-ID
      return () => void clients.delete(a);
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
