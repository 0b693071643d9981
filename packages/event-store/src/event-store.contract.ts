/**
 * The event store contract, written once and run against every implementation (see
 * postgres/event-store.pg.int.spec.ts and postgres/event-store.pglite.int.spec.ts). Each test
 * takes a store on a schema of its own, so that reads of the global log see only its events.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver, SqlQueryable } from './postgres/driver.js';
import { LATEST_VERSION, MIGRATIONS, migrate } from './postgres/migrations.js';
import type { PostgresEventStore } from './postgres/postgres-event-store.js';
import { createPostgresEventStore } from './postgres/postgres-event-store.js';
import type {
  AppendResult,
  EventData,
  EventStoreFailure,
  ExpectedRevision,
  Position,
  RecordedEvent,
  Subscription,
} from './port.js';
import { EventStoreError, START } from './port.js';
import { CheckpointConflictError } from './subscription.js';

export interface ContractStore {
  readonly store: PostgresEventStore;
  readonly schema: string;
  readonly driver: SqlDriver;
  /** Another store on the same database and schema: the process restarted. */
  reopen(): Promise<PostgresEventStore>;
}

/** A store and raw SQL bound to one connection of their own (server databases only). */
export interface Session {
  readonly store: PostgresEventStore;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContractHarness {
  /** `server`: concurrent connections; `single-connection`: PGlite, one query at a time. */
  readonly concurrency: 'server' | 'single-connection';
  /** A store on a fresh schema. */
  freshStore(): Promise<ContractStore>;
  /** server only: a session on the given schema. */
  session?(schema: string): Promise<Session>;
  /** server only: a store on the given schema through a pool of its own (another process). */
  otherProcess?(schema: string): Promise<PostgresEventStore>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const event = (type = 'Tested', data: unknown = { n: 1 }, metadata?: unknown): EventData => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata === undefined ? {} : { metadata }),
});

const stream = (prefix = 'article') => `${prefix}-${randomUUID()}`;

async function failure(promise: Promise<unknown>): Promise<EventStoreFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EventStoreError) return error.failure;
    throw error;
  }
  throw new Error('expected the promise to reject with an EventStoreError');
}

/** Runs statements as a superuser would to tamper: with the append-only triggers off. */
async function tamper(driver: SqlDriver, statements: readonly string[]): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    for (const statement of statements) await tx.query(statement);
  });
}

/**
 * The global log once it holds at least `count` events: the gap-free read holds back what
 * committed after the oldest transaction still running on the server, which another test
 * file may hold open for a while, so a test that counts the log waits for it first.
 */
export async function wholeLog(store: PostgresEventStore, count: number): Promise<RecordedEvent[]> {
  for (const deadline = Date.now() + 30_000; ;) {
    const log = await readWholeLog(store);
    if (log.length >= count) return log;
    if (Date.now() > deadline) throw new Error(`the log holds ${log.length} of ${count} events`);
    await sleep(20);
  }
}

/** The whole global log, page after page, as far as the gap-free read reaches now. */
async function readWholeLog(store: PostgresEventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let from: Position = START;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: 500 });
    all.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < 500) return all;
    from = last.position;
  }
}

/**
 * A harness's stores on one driver: `open` makes one (and remembers it), `closeAll` closes
 * them without waiting for one that a failed test left blocked in a handler.
 */
export function storesOn(driver: SqlDriver) {
  const stores: PostgresEventStore[] = [];
  return {
    open: async (schema: string, migrate = true): Promise<PostgresEventStore> => {
      const store = await createPostgresEventStore({ driver, schema, migrate });
      stores.push(store);
      return store;
    },
    closeAll: async (): Promise<void> => {
      for (const store of stores) {
        await Promise.race([
          store.close().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 5_000)),
        ]);
      }
    },
  };
}

/**
 * Seals once the gap-free read holds `count` events: a seal covers what is below the oldest
 * transaction still running on the server, which another test file may hold open for a while.
 */
async function sealOnce(store: PostgresEventStore, count: number) {
  await wholeLog(store, count);
  return store.seal();
}

/** A transaction-bound driver, to run the store inside a transaction the test holds open. */
const boundTo = (tx: SqlQueryable, target: object): SqlDriver => ({
  target,
  query: (text, params, options) => tx.query(text, params, options),
  transaction: (fn) => fn(tx),
});

const FIXTURE = new URL('../../../tests/fixtures/haiphong-portal-2019-04-08.json', import.meta.url);

export function describeEventStoreContract(
  name: string,
  makeHarness: () => Promise<ContractHarness>,
): void {
  describe(`event store contract: ${name}`, () => {
    let harness: ContractHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });
    const fresh = () => harness.freshStore();

    describe('expected revision', () => {
      const cases: {
        mode: string;
        expected: (head: bigint | undefined) => ExpectedRevision;
        onMissing: 'accept' | 'reject';
        onExisting: 'accept' | 'reject';
      }[] = [
        { mode: 'any', expected: () => 'any', onMissing: 'accept', onExisting: 'accept' },
        {
          mode: 'no_stream',
          expected: () => 'no_stream',
          onMissing: 'accept',
          onExisting: 'reject',
        },
        {
          mode: 'stream_exists',
          expected: () => 'stream_exists',
          onMissing: 'reject',
          onExisting: 'accept',
        },
        {
          mode: 'exact (the current revision)',
          expected: (head) => head ?? 0n,
          onMissing: 'reject',
          onExisting: 'accept',
        },
      ];
      for (const c of cases) {
        it(`${c.mode}: ${c.onMissing}s a missing stream, ${c.onExisting}s an existing one`, async () => {
          const { store } = await fresh();
          const missing = stream();
          const append = store.appendToStream(missing, [event()], {
            expectedRevision: c.expected(undefined),
          });
          if (c.onMissing === 'accept') {
            expect((await append).nextExpectedRevision).toBe(0n);
          } else {
            expect(await failure(append)).toMatchObject({
              tag: 'WrongExpectedVersion',
              streamName: missing,
              actual: 'no_stream',
            });
            expect(await store.readStream(missing)).toEqual([]);
          }

          const existing = stream();
          await store.appendToStream(existing, [event(), event()]);
          const second = store.appendToStream(existing, [event()], {
            expectedRevision: c.expected(1n),
          });
          if (c.onExisting === 'accept') {
            expect((await second).nextExpectedRevision).toBe(2n);
          } else {
            expect(await failure(second)).toMatchObject({
              tag: 'WrongExpectedVersion',
              streamName: existing,
              actual: 1n,
            });
            expect(await store.readStream(existing)).toHaveLength(2);
          }
        });
      }

      it('exact: a stale or future revision is rejected with the actual one', async () => {
        const { store } = await fresh();
        const s = stream();
        await store.appendToStream(s, [event(), event(), event()]);
        for (const expectedRevision of [0n, 1n, 3n, 7n]) {
          expect(await failure(store.appendToStream(s, [event()], { expectedRevision }))).toEqual({
            tag: 'WrongExpectedVersion',
            streamName: s,
            expected: expectedRevision,
            actual: 2n,
          });
        }
        expect(await store.readStream(s)).toHaveLength(3);
      });

      it('an empty append checks the expected revision and writes nothing', async () => {
        const { store } = await fresh();
        const s = stream();
        expect(await store.appendToStream(s, [], { expectedRevision: 'no_stream' })).toEqual({
          nextExpectedRevision: -1n,
          position: START,
          idempotent: false,
        });
        const written = await store.appendToStream(s, [event()]);
        expect(await store.appendToStream(s, [], { expectedRevision: 0n })).toEqual(written);
        expect(
          await failure(store.appendToStream(s, [], { expectedRevision: 'no_stream' })),
        ).toMatchObject({ tag: 'WrongExpectedVersion', actual: 0n });
      });

      it('refuses what it cannot store faithfully, as InvalidEvent', async () => {
        const { store } = await fresh();
        const s = stream();
        const invalid = async (events: EventData[], expectedRevision?: ExpectedRevision) =>
          (
            await failure(
              store.appendToStream(
                s,
                events,
                expectedRevision === undefined ? {} : { expectedRevision },
              ),
            )
          ).tag;
        const one = event();
        expect(await invalid([{ ...one, id: 'not-a-uuid' }])).toBe('InvalidEvent');
        expect(await invalid([one, { ...event(), id: one.id }])).toBe('InvalidEvent');
        expect(await invalid([event('T', { at: new Date() })])).toBe('InvalidEvent');
        expect(await invalid([event('T', { n: Number.NaN })])).toBe('InvalidEvent');
        expect(await invalid([event('T', { s: 'lone \ud800 surrogate' })])).toBe('InvalidEvent');
        expect(await invalid([event('T', { s: 'nul \u0000 character' })])).toBe('InvalidEvent');
        expect(await invalid([{ ...one, type: '' }])).toBe('InvalidEvent');
        expect(await invalid([one], -1n)).toBe('InvalidEvent');
        expect(await store.readStream(s)).toEqual([]);
      });
    });

    describe('idempotency by event id', () => {
      const modes: { mode: string; first: ExpectedRevision; retry: ExpectedRevision }[] = [
        { mode: 'any', first: 'any', retry: 'any' },
        { mode: 'no_stream', first: 'no_stream', retry: 'no_stream' },
        { mode: 'stream_exists', first: 'stream_exists', retry: 'stream_exists' },
        { mode: 'exact', first: 0n, retry: 0n },
      ];
      for (const m of modes) {
        it(`${m.mode}: re-sending stored events returns the first result, even once the expected revision is stale`, async () => {
          const { store } = await fresh();
          const s = stream();
          if (m.first !== 'no_stream') await store.appendToStream(s, [event()]);
          const batch = [event('A'), event('B')];
          const first = await store.appendToStream(s, batch, { expectedRevision: m.first });
          // Make the retry's expected revision stale (or still valid, for any/stream_exists).
          await store.appendToStream(s, [event('Later')]);
          const again = await store.appendToStream(s, batch, { expectedRevision: m.retry });
          expect(again).toEqual({ ...first, idempotent: true });
          // One event of the batch alone is a retry too, answered with its own position.
          const single = await store.appendToStream(s, [batch[0] as EventData], {
            expectedRevision: m.retry,
          });
          expect(single.nextExpectedRevision).toBe(first.nextExpectedRevision - 1n);
          const types = (await store.readStream(s)).map((e) => e.type);
          expect(types.filter((t) => t === 'A' || t === 'B')).toEqual(['A', 'B']);
        });
      }

      it('a single-event retry returns the first result', async () => {
        const { store } = await fresh();
        const s = stream();
        const e = event();
        const first = await store.appendToStream(s, [e], { expectedRevision: 'no_stream' });
        await store.appendToStream(s, [event()]);
        expect(await store.appendToStream(s, [e], { expectedRevision: 'no_stream' })).toEqual({
          ...first,
          idempotent: true,
        });
        expect(await store.appendToStream(s, [e], { expectedRevision: 5n })).toEqual({
          ...first,
          idempotent: true,
        });
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('a partial overlap, another order, or ids stored in another stream are conflicts', async () => {
        const { store } = await fresh();
        const s = stream();
        const [a, b, c] = [event('A'), event('B'), event('C')];
        await store.appendToStream(s, [a, b]);
        expect(await failure(store.appendToStream(s, [a, b, c]))).toMatchObject({
          tag: 'IdempotencyConflict',
          streamName: s,
          eventId: c.id,
        });
        expect(await failure(store.appendToStream(s, [c, a]))).toMatchObject({
          tag: 'IdempotencyConflict',
          eventId: c.id,
        });
        expect(await failure(store.appendToStream(s, [b, a]))).toMatchObject({
          tag: 'IdempotencyConflict',
          eventId: a.id,
        });
        const other = stream();
        expect(await failure(store.appendToStream(other, [a]))).toMatchObject({
          tag: 'IdempotencyConflict',
          streamName: other,
          eventId: a.id,
        });
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.readStream(other)).toEqual([]);
      });
    });

    it('16 writers racing on one stream: one wins each revision, no gaps, every event once', async () => {
      const { store } = await fresh();
      const s = stream();
      const writers = 16;
      const perWriter = 4;
      const mine = Array.from({ length: writers }, (_, w) =>
        Array.from({ length: perWriter }, (_, i) => event('Raced', { w, i })),
      );
      let conflicts = 0;
      await Promise.all(
        mine.map(async (events) => {
          for (const e of events) {
            for (;;) {
              const head = (await store.readStream(s)).at(-1);
              const expectedRevision = head ? head.revision : 'no_stream';
              try {
                await store.appendToStream(s, [e], { expectedRevision });
                break;
              } catch (error) {
                if (
                  error instanceof EventStoreError &&
                  error.failure.tag === 'WrongExpectedVersion'
                ) {
                  conflicts++;
                  continue;
                }
                throw error;
              }
            }
          }
        }),
      );
      const stored = await store.readStream(s);
      expect(stored.map((e) => e.revision)).toEqual(
        Array.from({ length: writers * perWriter }, (_, i) => BigInt(i)),
      );
      expect(new Set(stored.map((e) => e.id)).size).toBe(writers * perWriter);
      for (const [w, events] of mine.entries()) {
        const ids = stored.filter((e) => (e.data as { w: number }).w === w).map((e) => e.id);
        expect(ids).toEqual(events.map((e) => e.id));
      }
      if (harness.concurrency === 'server') expect(conflicts).toBeGreaterThan(0);
      expect((await store.verifyIntegrity()).ok).toBe(true);
    });

    describe('two store instances on one stream', () => {
      it('a head another instance moved on is refused or retried exactly, and the chain verifies', async () => {
        const opened = await fresh();
        const a = opened.store;
        const b =
          harness.concurrency === 'server'
            ? await harness.otherProcess?.(opened.schema)
            : await opened.reopen();
        if (!b) throw new Error('a server harness provides otherProcess');
        const s = stream();
        const [e0, e1, e2, e3, e4] = [
          event('E0'),
          event('E1'),
          event('E2'),
          event('E3'),
          event('E4'),
        ];
        await a.appendToStream(s, [e0 as EventData], { expectedRevision: 'no_stream' });
        await a.appendToStream(s, [e1 as EventData], { expectedRevision: 0n }); // A wrote head 1
        await b.appendToStream(s, [e2 as EventData], { expectedRevision: 1n }); // B moves it to 2
        // A's last append left the head at 1: appending on it now must fail, not fork the chain.
        await expect(
          a.appendToStream(s, [e3 as EventData], { expectedRevision: 1n }),
        ).rejects.toMatchObject({ failure: { tag: 'WrongExpectedVersion', actual: 2n } });
        const r3 = await a.appendToStream(s, [e3 as EventData], { expectedRevision: 2n });
        const r4 = await a.appendToStream(s, [e4 as EventData], { expectedRevision: 3n });
        expect([r3.nextExpectedRevision, r4.nextExpectedRevision]).toEqual([3n, 4n]);
        // A retry of the last append, and an id stored before, behave as on any other path.
        expect(await a.appendToStream(s, [e4 as EventData], { expectedRevision: 3n })).toEqual({
          ...r4,
          idempotent: true,
        });
        // An id stored before, sent with the head's expected revision, is a retry of that event
        // (ids are compared, not content): answered with its first result, nothing appended.
        const again = await a.appendToStream(s, [{ ...event('Again'), id: (e0 as EventData).id }], {
          expectedRevision: 4n,
        });
        expect(again.nextExpectedRevision).toBe(0n);
        const stored = await a.readStream(s);
        expect(stored.map((e) => e.id)).toEqual([e0, e1, e2, e3, e4].map((e) => e?.id));
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        for (let i = 1; i < stored.length; i++) {
          expect(stored[i]?.previousHash).toBe(stored[i - 1]?.hash);
          expect(stored[i]!.recordedAt.getTime()).toBeGreaterThanOrEqual(
            stored[i - 1]!.recordedAt.getTime(),
          );
        }
        expect(await a.verifyIntegrity()).toMatchObject({ ok: true });
        await b.close();
      });
    });

    describe('global log', () => {
      it('readAll returns every event in (transaction id, position) order, batches in revision order', async () => {
        const { store } = await fresh();
        const [s1, s2] = [stream(), stream()];
        await store.appendToStream(s1, [event(), event()]);
        await store.appendToStream(s2, [event()]);
        await store.appendToStream(
          s1,
          Array.from({ length: 50 }, () => event()),
        );
        const all = await wholeLog(store, 53);
        expect(all).toHaveLength(53);
        for (let i = 1; i < all.length; i++) {
          const [a, b] = [all[i - 1] as RecordedEvent, all[i] as RecordedEvent];
          expect(
            a.position.transactionId < b.position.transactionId ||
              (a.position.transactionId === b.position.transactionId &&
                a.position.sequence < b.position.sequence),
          ).toBe(true);
        }
        expect(all.filter((e) => e.streamName === s1).map((e) => e.revision)).toEqual(
          Array.from({ length: 52 }, (_, i) => BigInt(i)),
        );
        const paged = await store.readAll({
          fromPosition: (all[9] as RecordedEvent).position,
          maxCount: 5,
        });
        expect(paged.map((e) => e.id)).toEqual(all.slice(10, 15).map((e) => e.id));
      });

      it('a transaction holding an early position hides later commits until it commits, and a subscriber then sees both in order', async () => {
        const opened = await fresh();
        const { store, schema, driver } = opened;
        const seen: RecordedEvent[] = [];
        const { position: from } = await store.appendToStream(stream('before'), [event()]);
        const sub = store.subscribeToAll(
          async (e) => {
            seen.push(e);
          },
          { fromPosition: from, pollIntervalMs: 20 },
        );
        const late = event('CommitsLast');
        const early = event('CommitsFirst');

        if (harness.concurrency === 'server') {
          // Two connections of their own, each running the store's SQL inside BEGIN ... COMMIT.
          const a = await harness.session?.(schema);
          const b = await harness.session?.(schema);
          if (!a || !b) throw new Error('a server harness provides sessions');
          try {
            await a.exec('BEGIN');
            const lower = await a.store.appendToStream(stream('a'), [late]);
            await b.exec('BEGIN');
            const higher = await b.store.appendToStream(stream('b'), [early]);
            expect(lower.position.sequence).toBeLessThan(higher.position.sequence);
            await b.exec('COMMIT');
            // B has committed, but A (older) is still running: nothing may be delivered yet,
            // or B would be passed over for good once A commits below the cursor.
            await sleep(300);
            expect(seen).toEqual([]);
            expect(await store.readAll({ fromPosition: from })).toEqual([]);
            await a.exec('COMMIT');
          } finally {
            await a.close();
            await b.close();
          }
        } else {
          // One connection: a second writer cannot even start while a transaction is open,
          // so no commit can land below a subscriber's cursor. Show that it waits.
          let entered!: () => void;
          const inside = new Promise<void>((resolve) => (entered = resolve));
          let release!: () => void;
          const gate = new Promise<void>((resolve) => (release = resolve));
          const held = driver.transaction(async (tx) => {
            const txStore = await createPostgresEventStore({
              driver: boundTo(tx, {}),
              schema,
              migrate: false,
            });
            await txStore.appendToStream(stream('a'), [late]);
            entered();
            await gate;
          });
          await inside;
          let secondDone = false;
          const second = store.appendToStream(stream('b'), [early]).then(() => {
            secondDone = true;
          });
          await sleep(300);
          expect(secondDone).toBe(false);
          expect(seen).toEqual([]);
          release();
          await held;
          await second;
        }

        await eventually(() => seen.length >= 2);
        await sub.stop();
        expect(seen.map((e) => e.id)).toEqual([late.id, early.id]);
        expect(seen[0]?.position.sequence).toBeLessThan(seen[1]?.position.sequence ?? 0n);
      });
    });

    describe('subscriptions', () => {
      it('subscribeToAll delivers after fromPosition, in order, woken by appends', async () => {
        const { store } = await fresh();
        const { position: from } = await store.appendToStream(stream(), [event()]);
        const seen: string[] = [];
        // A long poll interval: delivery within it shows that appends wake the subscription.
        const sub = store.subscribeToAll(async (e) => void seen.push(e.id), {
          fromPosition: from,
          pollIntervalMs: 60_000,
        });
        await sleep(50);
        const events = [event(), event(), event()];
        const t0 = Date.now();
        for (const e of events) await store.appendToStream(stream(), [e]);
        await eventually(() => seen.length === 3, 5_000);
        expect(Date.now() - t0).toBeLessThan(5_000);
        await sub.stop();
        await sub.done;
        expect(seen).toEqual(events.map((e) => e.id));
      });

      it('a subscription on another store instance is woken by appends, well before its poll interval', async () => {
        const opened = await fresh();
        // Server: another pool, as another process would have, so only NOTIFY can wake it.
        // PGlite: another store on the same instance (one process), woken in-process.
        const other =
          harness.concurrency === 'server'
            ? await harness.otherProcess?.(opened.schema)
            : await opened.reopen();
        if (!other) throw new Error('a server harness provides otherProcess');
        const seen: string[] = [];
        const sub = other.subscribeToAll(async (e) => void seen.push(e.id), {
          pollIntervalMs: 60_000,
        });
        await sleep(300); // the subscription has polled once and sleeps, listening
        const e = event();
        const t0 = Date.now();
        await opened.store.appendToStream(stream(), [e]);
        await eventually(() => seen.length === 1, 5_000);
        expect(Date.now() - t0).toBeLessThan(5_000);
        await sub.stop();
        expect(seen).toEqual([e.id]);
        await other.close();
      });

      it('a durable subscription resumes after its checkpoint when restarted', async () => {
        const opened = await fresh();
        const { store } = opened;
        const name = `projector-${randomUUID()}`;
        const first = [event(), event(), event()];
        for (const e of first) await store.appendToStream(stream(), [e]);
        const seen1: string[] = [];
        const sub1 = store.subscribeToAll(async (e) => void seen1.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        await eventually(() => seen1.length === 3);
        await sub1.stop();
        expect(seen1).toEqual(first.map((e) => e.id));

        const second = [event(), event()];
        for (const e of second) await store.appendToStream(stream(), [e]);
        const restarted = await opened.reopen();
        const seen2: string[] = [];
        const sub2 = restarted.subscribeToAll(async (e) => void seen2.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        await eventually(() => seen2.length >= 2);
        await sleep(100);
        await sub2.stop();
        expect(seen2).toEqual(second.map((e) => e.id));
        await restarted.close();
      });

      it('with a checkpoint interval, stores the checkpoint when due and when stopped, not per batch', async () => {
        const opened = await fresh();
        const { store, schema, driver } = opened;
        const name = `interval-${randomUUID()}`;
        const storedPosition = async () =>
          (
            await driver.query<{ position: string }>(
              `SELECT position::text AS position FROM "${schema}".checkpoints
                WHERE subscription_name = $1`,
              [name],
            )
          ).rows[0]?.position;
        const first = [event(), event()];
        const appended = [];
        for (const e of first) appended.push(await store.appendToStream(stream(), [e]));
        const seen: string[] = [];
        const sub = store.subscribeToAll(async (e) => void seen.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
          checkpointIntervalMs: 60_000,
        });
        await eventually(() => seen.length === 2);
        await sleep(100);
        expect(await storedPosition()).toBeUndefined(); // handled, not yet due
        await sub.stop();
        expect(await storedPosition()).toBe(appended[1]?.position.sequence.toString());

        const later = event();
        const last = await store.appendToStream(stream(), [later]);
        const restarted = await opened.reopen();
        const seenAgain: string[] = [];
        const sub2 = restarted.subscribeToAll(async (e) => void seenAgain.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
          checkpointIntervalMs: 50,
        });
        await eventually(() => seenAgain.length === 1);
        // Due after 50 ms: stored while the subscription keeps running.
        const deadline = Date.now() + 10_000;
        while ((await storedPosition()) !== last.position.sequence.toString()) {
          if (Date.now() > deadline) throw new Error('the checkpoint was not stored when due');
          await sleep(20);
        }
        await sub2.stop();
        expect(seenAgain).toEqual([later.id]);
        await restarted.close();
      });

      /**
       * Instance B loads the stored checkpoint, then blocks in its handler; instance A, on the
       * same name, handles everything and moves the checkpoint; B then tries to store its own,
       * older one. B must lose and stop, and the stored checkpoint must stay where A put it.
       */
      const raceOnCheckpoint = async (withStoredCheckpoint: boolean) => {
        const opened = await fresh();
        const { store, schema, driver } = opened;
        const name = `relay-${randomUUID()}`;
        const events = [event(), event(), event(), event()];
        for (const e of events) await store.appendToStream(stream(), [e]);
        const stored = async () =>
          (
            await driver.query<{ position: string }>(
              `SELECT position::text AS position FROM "${schema}".checkpoints
                WHERE subscription_name = $1`,
              [name],
            )
          ).rows[0]?.position;

        let handledBefore = 0;
        if (withStoredCheckpoint) {
          // A first pass handles one event, asks to stop (the loop then handles no more),
          // and stores its checkpoint after that event.
          let handled = 0;
          const first: Subscription = store.subscribeToAll(
            async () => {
              handled++;
              void first.stop();
            },
            { subscriptionName: name, pollIntervalMs: 20 },
          );
          await first.done;
          handledBefore = handled;
          expect(handledBefore).toBe(1);
          expect(await stored()).toBeDefined();
        }
        const before = await stored();

        let releaseB!: () => void;
        const gateB = new Promise<void>((resolve) => (releaseB = resolve));
        let bStarted = false;
        const other = await opened.reopen();
        const subB = other.subscribeToAll(
          async () => {
            bStarted = true;
            await gateB;
          },
          { subscriptionName: name, pollIntervalMs: 20, batchSize: 1 },
        );
        await eventually(() => bStarted);

        const seenA: string[] = [];
        const subA = store.subscribeToAll(async (e) => void seenA.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        const remaining = events.length - handledBefore;
        await eventually(() => seenA.length === remaining);
        await subA.stop();
        const afterA = await stored();
        expect(afterA).not.toBe(before);

        releaseB();
        await expect(subB.done).rejects.toBeInstanceOf(CheckpointConflictError);
        expect(await stored()).toBe(afterA);
        await other.close();
      };

      it('a second instance loses the compare-and-swap when it would create the checkpoint', () =>
        raceOnCheckpoint(false));

      it('a second instance on a stale checkpoint loses the compare-and-swap; the checkpoint never moves back', () =>
        raceOnCheckpoint(true));

      it('a handler error stops the subscription, rejects done, and keeps what was handled', async () => {
        const opened = await fresh();
        const { store } = opened;
        const name = `failing-${randomUUID()}`;
        const events = [event(), event('Poison'), event()];
        for (const e of events) await store.appendToStream(stream(), [e]);
        const seen: string[] = [];
        const sub = store.subscribeToAll(
          async (e) => {
            if (e.type === 'Poison') throw new Error('cannot handle this one');
            seen.push(e.id);
          },
          { subscriptionName: name, pollIntervalMs: 20 },
        );
        await expect(sub.done).rejects.toThrow('cannot handle this one');
        expect(seen).toEqual([events[0]?.id]);
        // A restart resumes at the failing event, not before it.
        const retried: string[] = [];
        const again = store.subscribeToAll(async (e) => void retried.push(e.id), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        await eventually(() => retried.length === 2);
        await again.stop();
        expect(retried).toEqual([events[1]?.id, events[2]?.id]);
      });

      it('subscribeToStream follows one stream and resumes from its durable revision', async () => {
        const opened = await fresh();
        const { store } = opened;
        const s = stream();
        const name = `stream-sub-${randomUUID()}`;
        await store.appendToStream(s, [event(), event()]);
        await store.appendToStream(stream(), [event()]); // another stream: never delivered
        const seen: bigint[] = [];
        const sub = store.subscribeToStream(s, async (e) => void seen.push(e.revision), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        await eventually(() => seen.length === 2);
        await store.appendToStream(s, [event()]);
        await eventually(() => seen.length === 3);
        await sub.stop();
        expect(seen).toEqual([0n, 1n, 2n]);

        await store.appendToStream(s, [event()]);
        const restarted = await opened.reopen();
        const after: bigint[] = [];
        const sub2 = restarted.subscribeToStream(s, async (e) => void after.push(e.revision), {
          subscriptionName: name,
          pollIntervalMs: 20,
        });
        await eventually(() => after.length === 1);
        await sleep(100);
        await sub2.stop();
        expect(after).toEqual([3n]);
        await restarted.close();

        const fromRevision: bigint[] = [];
        const sub3 = store.subscribeToStream(s, async (e) => void fromRevision.push(e.revision), {
          fromRevision: 1n,
          pollIntervalMs: 20,
        });
        await eventually(() => fromRevision.length === 2);
        await sub3.stop();
        expect(fromRevision).toEqual([2n, 3n]);
      });
    });

    describe('append-only in the database itself', () => {
      for (const statement of [
        `UPDATE "$schema".events SET event_type = 'Changed'`,
        `DELETE FROM "$schema".events`,
        `TRUNCATE "$schema".events`,
        `DELETE FROM "$schema".events WHERE false`,
        `UPDATE "$schema".seals SET event_count = 0`,
        `DELETE FROM "$schema".seals`,
        `TRUNCATE "$schema".seals`,
      ]) {
        it(`rejects: ${statement}`, async () => {
          const { store, schema, driver } = await fresh();
          await store.appendToStream(stream(), [event(), event()]);
          await sealOnce(store, 2);
          await expect(driver.query(statement.replace('$schema', schema))).rejects.toThrow(
            /append-only/,
          );
          expect(await wholeLog(store, 2)).toHaveLength(2);
        });
      }
    });

    describe('tamper evidence', () => {
      it('verifyIntegrity passes on a clean store', async () => {
        const { store } = await fresh();
        await store.appendToStream(stream(), [event('A', { x: [1, 2.5, 'ba'] }, { actor: 'u' })]);
        await store.appendToStream(
          stream(),
          Array.from({ length: 30 }, () => event()),
        );
        expect((await sealOnce(store, 31))?.eventCount).toBe(31n);
        await store.appendToStream(stream(), [event()]);
        await wholeLog(store, 32); // what verify reads: the gap-free log
        expect(await store.verifyIntegrity()).toMatchObject({
          ok: true,
          streams: 3,
          events: 32,
          seals: 1,
          unsealedEvents: 1,
        });
      });

      it('passes bodies past ASCII: Vietnamese text, escapes, member names the byte scan leaves to the parser', async () => {
        const { store } = await fresh();
        const text = 'Đại hội XIII của Đảng: "tầm nhìn" \\ \n\t\u0001 😀 \uffff';
        await store.appendToStream(stream(), [
          event('Đã sửa', { headline: text, 'tiêu đề': 'Hải Phòng', '😀': 1, '\uffff': 2 }),
          event('Tested', { blocks: [text, { z: 0, a: [1.5, -0, 1e21] }] }, { người: text }),
        ]);
        await wholeLog(store, 2); // what verify reads: the gap-free log
        expect(await store.verifyIntegrity()).toMatchObject({ ok: true, events: 2 });
      });

      it('catches a changed event_id or event_type column: the columns must be what the body hashed', async () => {
        for (const [column, value, reason, type] of [
          ['event_id', `'${randomUUID()}'`, /event_id column differs/, 'Tested'],
          ['event_type', `'Retracted'`, /event_type column differs/, 'Tested'],
          // The type's UTF-8 bytes read as latin1: the byte view of the body's own type.
          [
            'event_type',
            `convert_from(convert_to(event_type, 'UTF8'), 'LATIN1')`,
            /event_type column differs/,
            'Đã sửa',
          ],
        ] as const) {
          const { store, schema, driver } = await fresh();
          const s = stream();
          await store.appendToStream(s, [event(type), event(type)]);
          await tamper(driver, [
            `UPDATE "${schema}".events SET ${column} = ${value} WHERE stream_name = '${s}' AND revision = 1`,
          ]);
          await wholeLog(store, 2); // what verify reads: the gap-free log
          const report = await store.verifyIntegrity();
          expect(report, column).toMatchObject({
            ok: false,
            events: 1,
            violation: { kind: 'event', streamName: s, revision: 1n },
          });
          if (!report.ok && report.violation.kind === 'event') {
            expect(report.violation.reason).toMatch(reason);
          }
        }
      });

      it('catches a stored hash or previous hash cut short by a byte', async () => {
        for (const column of ['hash', 'previous_hash']) {
          const { store, schema, driver } = await fresh();
          const s = stream();
          await store.appendToStream(s, [event(), event()]);
          await tamper(driver, [
            `UPDATE "${schema}".events SET ${column} = substring(${column} from 1 for 31)
              WHERE stream_name = '${s}' AND revision = 1`,
          ]);
          await wholeLog(store, 2); // what verify reads: the gap-free log
          expect(await store.verifyIntegrity(), column).toMatchObject({
            ok: false,
            events: 1,
            violation: { kind: 'event', streamName: s, revision: 1n },
          });
        }
      });

      it('names the first altered event, with the expected and the stored hash', async () => {
        const { store, schema, driver } = await fresh();
        const s = stream();
        await store.appendToStream(s, [event('A'), event('B'), event('C')]);
        const other = stream();
        await store.appendToStream(other, [event('D')]);
        const [, b] = await store.readStream(s);
        // Two alterations: the report names the first one in log order.
        await tamper(driver, [
          `UPDATE "${schema}".events SET body = replace(body::text, '"n":1', '"n":2')::json
            WHERE stream_name = '${s}' AND revision = 1`,
          `UPDATE "${schema}".events SET body = replace(body::text, '"n":1', '"n":3')::json
            WHERE stream_name = '${other}'`,
        ]);
        await wholeLog(store, 4); // what verify reads: the gap-free log
        const report = await store.verifyIntegrity();
        expect(report.ok).toBe(false);
        if (report.ok) return;
        expect(report.violation).toMatchObject({
          kind: 'event',
          streamName: s,
          revision: 1n,
          eventId: b?.id,
          found: b?.hash,
        });
        if (report.violation.kind === 'event') {
          expect(report.violation.expected).not.toBe(b?.hash);
          expect(report.violation.reason).toMatch(/altered/);
        }
      });

      it('catches a changed recorded_at, a broken chain and a deleted middle event', async () => {
        const { store, schema, driver } = await fresh();
        const s = stream();
        await store.appendToStream(s, [event(), event(), event()]);
        const where = `stream_name = '${s}' AND revision = 1`;
        await tamper(driver, [
          `UPDATE "${schema}".events SET recorded_at = recorded_at - interval '1 day' WHERE ${where}`,
        ]);
        await wholeLog(store, 3); // what verify reads: the gap-free log
        expect(await store.verifyIntegrity()).toMatchObject({
          ok: false,
          violation: { kind: 'event', streamName: s, revision: 1n },
        });

        const t = stream();
        const fresh2 = await fresh();
        await fresh2.store.appendToStream(t, [event(), event(), event()]);
        await tamper(fresh2.driver, [
          `DELETE FROM "${fresh2.schema}".events WHERE stream_name = '${t}' AND revision = 1`,
        ]);
        await wholeLog(fresh2.store, 2); // what verify reads: the gap-free log
        expect(await fresh2.store.verifyIntegrity()).toMatchObject({
          ok: false,
          violation: { kind: 'event', streamName: t, revision: 2n, expected: '1', found: '2' },
        });
      });

      it('twelve seals verify in seal order (not in the text order 1, 10, 11, 12, 2)', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 12; i++) {
          await store.appendToStream(stream(), [event()]);
          expect((await sealOnce(store, i + 1))?.sealNumber).toBe(BigInt(i + 1));
        }
        expect(await store.verifyIntegrity()).toMatchObject({
          ok: true,
          seals: 12,
          unsealedEvents: 0,
        });
      });

      it('seals catch a removed stream and a truncated tail', async () => {
        const { store, schema, driver } = await fresh();
        const [s1, s2] = [stream(), stream()];
        await store.appendToStream(s1, [event(), event()]);
        await store.appendToStream(s2, [event(), event()]);
        expect((await sealOnce(store, 4))?.eventCount).toBe(4n);
        expect(await store.seal()).toBeUndefined(); // nothing new to seal
        await store.appendToStream(s1, [event()]);
        expect((await sealOnce(store, 5))?.eventCount).toBe(5n);
        expect((await store.verifyIntegrity()).ok).toBe(true);

        // The whole of s2 vanishes: every chain that remains is intact, only a seal can tell.
        await tamper(driver, [`DELETE FROM "${schema}".events WHERE stream_name = '${s2}'`]);
        expect(await store.verifyIntegrity()).toMatchObject({
          ok: false,
          violation: { kind: 'seal', sealNumber: 1n },
        });

        const other = await fresh();
        await other.store.appendToStream(s1, [event(), event(), event()]);
        await sealOnce(other.store, 3);
        await tamper(other.driver, [
          `DELETE FROM "${other.schema}".events WHERE stream_name = '${s1}' AND revision = 2`,
        ]);
        expect(await other.store.verifyIntegrity()).toMatchObject({
          ok: false,
          violation: { kind: 'seal', sealNumber: 1n, expected: '2', found: '3' },
        });
      });
    });

    describe('time travel', () => {
      it('readStream stops at a revision or at an instant', async () => {
        const { store } = await fresh();
        const s = stream();
        for (let i = 0; i < 4; i++) {
          await store.appendToStream(s, [event('Step', { i })]);
          await sleep(15);
        }
        const all = await store.readStream(s);
        expect(all.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
        const [e0, e1, e2] = all as [RecordedEvent, RecordedEvent, RecordedEvent];
        expect((await store.readStream(s, { toRevision: 1n })).map((e) => e.revision)).toEqual([
          0n,
          1n,
        ]);
        expect(
          (await store.readStream(s, { fromRevision: 1n, toRevision: 2n })).map((e) => e.revision),
        ).toEqual([1n, 2n]);
        expect((await store.readStream(s, { toInstant: e1.recordedAt })).map((e) => e.id)).toEqual([
          e0.id,
          e1.id,
        ]);
        expect(
          await store.readStream(s, { toInstant: new Date(e0.recordedAt.getTime() - 1) }),
        ).toEqual([]);
        expect(
          (await store.readStream(s, { toInstant: new Date(e2.recordedAt.getTime() - 1) })).length,
        ).toBe(2);
        expect((await store.readStream(s, { maxCount: 3 })).length).toBe(3);
        for (let i = 1; i < all.length; i++) {
          expect((all[i] as RecordedEvent).recordedAt.getTime()).toBeGreaterThanOrEqual(
            (all[i - 1] as RecordedEvent).recordedAt.getTime(),
          );
        }
      });
    });

    describe('content is stored exactly', () => {
      it('Vietnamese NFC text reads back byte-identical; NFD is not "fixed" either', async () => {
        const { store } = await fresh();
        const article = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
        const nfd = 'Hải Phòng'.normalize('NFD');
        const s = stream();
        await store.appendToStream(s, [event('DraftCreated', article, { note: nfd })]);
        const [stored] = await store.readStream(s);
        const strings = (value: unknown, out: string[] = []): string[] => {
          if (typeof value === 'string') out.push(value);
          else if (Array.isArray(value)) for (const v of value) strings(v, out);
          else if (value && typeof value === 'object') {
            for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) {
              out.push(k);
              strings(v, out);
            }
          }
          return out;
        };
        const before = strings(article);
        const after = strings(stored?.data);
        expect(after.length).toBe(before.length);
        before.forEach((text, i) => {
          expect(
            Buffer.compare(Buffer.from(after[i] ?? '', 'utf8'), Buffer.from(text, 'utf8')),
          ).toBe(0);
        });
        expect(before.some((text) => /[ảừệ]/.test(text) && text === text.normalize('NFC'))).toBe(
          true,
        );
        const note = (stored?.metadata as { note: string }).note;
        expect(Buffer.from(note, 'utf8').equals(Buffer.from(nfd, 'utf8'))).toBe(true);
        expect(note).not.toBe(note.normalize('NFC'));
        expect((await store.verifyIntegrity()).ok).toBe(true);
      });

      it('numbers and odd keys survive and still verify', async () => {
        const { store } = await fresh();
        const s = stream();
        const data = {
          big: 1e21,
          tiny: 5e-324,
          neg: -0,
          frac: 0.1,
          '\u20ac': 1,
          '\r': 2,
          a: [null, true],
        };
        await store.appendToStream(s, [event('Numbers', data)]);
        const [stored] = await store.readStream(s);
        expect(stored?.data).toEqual({ ...data, neg: 0 });
        expect((await store.verifyIntegrity()).ok).toBe(true);
      });
    });

    describe('migrations', () => {
      it('are idempotent and safe to run from two processes at once', async () => {
        const { driver } = await fresh();
        const schema = `es_migrate_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
        const [a, b] = await Promise.all([migrate(driver, schema), migrate(driver, schema)]);
        const every = MIGRATIONS.map((m) => m.version).sort((x, y) => x - y);
        expect(every).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
        expect([...a.applied, ...b.applied].sort((x, y) => x - y)).toEqual(every);
        expect((await migrate(driver, schema)).applied).toEqual([]);
        const versions = await driver.query<{ version: number }>(
          `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
        );
        expect(versions.rows.map((r) => Number(r.version))).toEqual(every);
        await driver.query(`DROP SCHEMA "${schema}" CASCADE`);
      });
    });

    it('appends report positions that readAll agrees with', async () => {
      const { store } = await fresh();
      const results: AppendResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await store.appendToStream(stream(), [event()]));
      const all = await wholeLog(store, 3);
      expect(all.map((e) => e.position)).toEqual(results.map((r) => r.position));
    });
  });
}
