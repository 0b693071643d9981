/**
 * Group commit's contract, run on every driver beside the store's own contract: appends that
 * wait while a batch is in flight share the next transaction, and each keeps its own answer.
 * To put chosen appends in one batch, a test holds the store's one batch slot with a first
 * append (`maxInFlight: 1`) and hands in the others while it is written: they wait together.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractHarness, ContractStore } from './event-store.contract.js';
import { wholeLog } from './event-store.contract.js';
import type { GroupCommitSettings } from './postgres/append.js';
import { quoteIdent } from './postgres/driver.js';
import type { PostgresEventStore } from './postgres/postgres-event-store.js';
import { createPostgresEventStore } from './postgres/postgres-event-store.js';
import type { AppendResult, EventData } from './port.js';
import { EventStoreError } from './port.js';

const event = (type = 'Tested', data: unknown = { n: 1 }): EventData => ({
  id: randomUUID(),
  type,
  data,
});
const stream = (prefix = 'article') => `${prefix}-${randomUUID()}`;

/** What an append came to: its result, or the failure's tag (or message). */
const outcome = (p: Promise<AppendResult>): Promise<AppendResult | string> =>
  p.then(
    (r) => r,
    (error: unknown) =>
      error instanceof EventStoreError
        ? error.failure.tag
        : error instanceof Error
          ? error.message
          : String(error),
  );

export function describeGroupCommitContract(
  name: string,
  makeHarness: () => Promise<ContractHarness>,
): void {
  describe(`group commit: ${name}`, () => {
    let harness: ContractHarness;
    const opened: PostgresEventStore[] = [];
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      for (const store of opened) await store.close();
      await harness?.close();
    });

    /** A fresh schema, and a store on it with these settings. */
    const storeWith = async (
      settings: GroupCommitSettings = { maxInFlight: 1 },
    ): Promise<ContractStore & { grouped: PostgresEventStore }> => {
      const fresh = await harness.freshStore();
      const grouped = await createPostgresEventStore({
        driver: fresh.driver,
        schema: fresh.schema,
        migrate: false,
        groupCommit: settings,
      });
      opened.push(grouped);
      return { ...fresh, grouped };
    };

    /** Holds the batch slot with one append while `rest` is handed in; all their outcomes. */
    const inOneBatch = async (
      store: PostgresEventStore,
      rest: readonly (() => Promise<AppendResult>)[],
    ): Promise<(AppendResult | string)[]> => {
      const holder = store.appendToStream(stream('holder'), [event('Holder')]);
      const outcomes = rest.map((append) => outcome(append()));
      await holder;
      const all = await Promise.all(outcomes);
      // The premise: the holder went alone, and the rest did wait together.
      expect(store.groupCommitStats().largestBatch).toBeGreaterThanOrEqual(rest.length);
      return all;
    };

    it('appends that wait together share one transaction, each with its own position and revision', async () => {
      const { grouped } = await storeWith();
      const streams = Array.from({ length: 12 }, () => stream());
      const events = streams.map((_, i) => event('Grouped', { i }));
      const results = await inOneBatch(
        grouped,
        streams.map(
          (s, i) => () =>
            grouped.appendToStream(s, [events[i] as EventData], { expectedRevision: 'no_stream' }),
        ),
      );
      const log = (await wholeLog(grouped, 13)).filter((e) => e.type === 'Grouped');
      // Appends to different streams are concurrent: the batch orders them by stream.
      expect(log.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(new Set(log.map((e) => e.position.transactionId)).size).toBe(1);
      results.forEach((r, i) => {
        expect(r).toEqual({
          nextExpectedRevision: 0n,
          idempotent: false,
          position: log.find((e) => e.id === events[i]?.id)?.position,
        });
      });
      expect((await grouped.verifyIntegrity()).ok).toBe(true);
    });

    it('a winner and a loser on one stream in one batch: the loser alone fails, with the actual revision', async () => {
      const { grouped } = await storeWith();
      const s = stream();
      const other = stream();
      const [win, lose, bystander] = [event('Win'), event('Lose'), event('Bystander')];
      const [first, second, third] = await inOneBatch(grouped, [
        () => grouped.appendToStream(s, [win], { expectedRevision: 'no_stream' }),
        () => grouped.appendToStream(s, [lose], { expectedRevision: 'no_stream' }),
        () => grouped.appendToStream(other, [bystander], { expectedRevision: 'no_stream' }),
      ]);
      expect(first).toMatchObject({ nextExpectedRevision: 0n, idempotent: false });
      expect(second).toBe('WrongExpectedVersion');
      expect(third).toMatchObject({ nextExpectedRevision: 0n, idempotent: false });
      await expect(
        grouped.appendToStream(s, [lose], { expectedRevision: 'no_stream' }),
      ).rejects.toMatchObject({ failure: { tag: 'WrongExpectedVersion', actual: 0n } });
      expect((await grouped.readStream(s)).map((e) => e.id)).toEqual([win.id]);
      expect((await grouped.readStream(other)).map((e) => e.id)).toEqual([bystander.id]);
    });

    it('two appends to one stream in one batch are chained in the order they came', async () => {
      const { grouped } = await storeWith();
      const s = stream();
      const [a, b, c] = [event('A'), event('B'), event('C')];
      const results = await inOneBatch(grouped, [
        () => grouped.appendToStream(s, [a], { expectedRevision: 'no_stream' }),
        () => grouped.appendToStream(s, [b, c], { expectedRevision: 0n }),
      ]);
      expect(results.map((r) => (typeof r === 'string' ? r : r.nextExpectedRevision))).toEqual([
        0n,
        2n,
      ]);
      const stored = await grouped.readStream(s);
      expect(stored.map((e) => e.id)).toEqual([a.id, b.id, c.id]);
      expect(stored[1]?.previousHash).toBe(stored[0]?.hash);
      expect(stored[2]?.previousHash).toBe(stored[1]?.hash);
      expect((await grouped.verifyIntegrity()).ok).toBe(true);
    });

    it('an idempotent retry beside a new append: the retry gets the first answer, the new one is written', async () => {
      const { grouped } = await storeWith();
      const s = stream();
      const [first, next] = [event('First'), event('Next')];
      const original = await grouped.appendToStream(s, [first], { expectedRevision: 'no_stream' });
      const [retry, fresh, duplicateInBatch] = await inOneBatch(grouped, [
        () => grouped.appendToStream(s, [first], { expectedRevision: 'no_stream' }),
        () => grouped.appendToStream(s, [next], { expectedRevision: 0n }),
        // The same event again in the same batch, right after it was written there.
        () => grouped.appendToStream(s, [next], { expectedRevision: 0n }),
      ]);
      expect(retry).toEqual({ ...original, idempotent: true });
      expect(fresh).toMatchObject({ nextExpectedRevision: 1n, idempotent: false });
      expect(duplicateInBatch).toEqual({ ...(fresh as AppendResult), idempotent: true });
      expect((await grouped.readStream(s)).map((e) => e.id)).toEqual([first.id, next.id]);
    });

    it('an append of several events that collides is left out whole; the batch goes on', async () => {
      const { grouped } = await storeWith();
      const taken = event('Taken');
      await grouped.appendToStream(stream('elsewhere'), [taken]);
      const s = stream();
      const good = stream();
      const [x1, x3, g] = [event('X1'), event('X3'), event('Good')];
      const [colliding, written] = await inOneBatch(grouped, [
        () => grouped.appendToStream(s, [x1, taken, x3], { expectedRevision: 'no_stream' }),
        () => grouped.appendToStream(good, [g], { expectedRevision: 'no_stream' }),
      ]);
      expect(colliding).toBe('IdempotencyConflict');
      expect(written).toMatchObject({ nextExpectedRevision: 0n });
      expect(await grouped.readStream(s)).toEqual([]);
      expect((await grouped.readStream(good)).map((e) => e.id)).toEqual([g.id]);
      expect((await grouped.verifyIntegrity()).ok).toBe(true);
    });

    it('a batch whose transaction fails as a whole: each append runs again alone, and only the bad one fails', async () => {
      const { grouped, driver, schema } = await storeWith();
      const s = quoteIdent(schema);
      // Stands for any failure of the whole statement (here: a trigger that refuses one type).
      await driver.query(
        `CREATE FUNCTION ${s}.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $fn$
         BEGIN
           IF NEW.event_type = 'Poison' THEN RAISE EXCEPTION 'poison refused'; END IF;
           RETURN NEW;
         END $fn$`,
      );
      await driver.query(
        `CREATE TRIGGER refuse_poison BEFORE INSERT ON ${s}.events
           FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_poison()`,
      );
      const streams = [stream(), stream(), stream(), stream()];
      const events = [event('Fine'), event('Fine'), event('Poison'), event('Fine')];
      const before = grouped.groupCommitStats();
      const results = await inOneBatch(
        grouped,
        streams.map((st, i) => () => grouped.appendToStream(st, [events[i] as EventData])),
      );
      expect(results[2]).toMatch(/poison refused/);
      for (const i of [0, 1, 3]) {
        expect(results[i]).toMatchObject({ nextExpectedRevision: 0n, idempotent: false });
        expect((await grouped.readStream(streams[i] as string)).map((e) => e.id)).toEqual([
          events[i]?.id,
        ]);
      }
      expect(await grouped.readStream(streams[2] as string)).toEqual([]);
      // The holder, the failed batch, then the four alone.
      expect(grouped.groupCommitStats().batches - before.batches).toBe(6);
    });

    it('a caller that gives up while its append waits: it is dropped unwritten, the others are written', async () => {
      const { grouped } = await storeWith();
      const [kept, dropped] = [stream(), stream()];
      const giveUp = new AbortController();
      const holder = grouped.appendToStream(stream('holder'), [event('Holder')]);
      const keptResult = grouped.appendToStream(kept, [event('Kept')]);
      const droppedResult = outcome(
        grouped.appendToStream(dropped, [event('Dropped')], { signal: giveUp.signal }),
      );
      giveUp.abort(new Error('the client hung up'));
      expect(await droppedResult).toBe('the client hung up');
      await holder;
      expect(await keptResult).toMatchObject({ nextExpectedRevision: 0n });
      expect(await grouped.readStream(dropped)).toEqual([]);
      // A signal that has already fired: refused at once, nothing written.
      await expect(
        grouped.appendToStream(dropped, [event('Late')], { signal: giveUp.signal }),
      ).rejects.toThrow('the client hung up');
      expect(await grouped.readStream(dropped)).toEqual([]);
    });

    it('once closed, a store takes no more appends and first writes those it was given', async () => {
      const { grouped, driver, schema } = await storeWith();
      const streams = [stream(), stream(), stream()];
      const given = streams.map((s) => grouped.appendToStream(s, [event('Given')]));
      const closed = grouped.close();
      await expect(grouped.appendToStream(stream(), [event('Late')])).rejects.toThrow(
        'the event store is closed',
      );
      await closed;
      await grouped.close(); // again: the same answer
      for (const result of await Promise.all(given)) {
        expect(result).toMatchObject({ nextExpectedRevision: 0n, idempotent: false });
      }
      const reader = await createPostgresEventStore({ driver, schema, migrate: false });
      opened.push(reader);
      for (const s of streams) expect(await reader.readStream(s)).toHaveLength(1);
    });

    it('no transaction holds more events than the cap', async () => {
      const { grouped } = await storeWith({ maxInFlight: 1, maxEvents: 5 });
      const writes = Array.from({ length: 40 }, (_, i) =>
        grouped.appendToStream(stream(), [event('Capped', { i })]),
      );
      const big = grouped.appendToStream(stream(), [
        ...Array.from({ length: 8 }, () => event('Big')),
      ]);
      await Promise.all([...writes, big]);
      const perTransaction = new Map<bigint, number>();
      for (const e of await wholeLog(grouped, 48)) {
        const id = e.position.transactionId;
        perTransaction.set(id, (perTransaction.get(id) ?? 0) + 1);
      }
      const sizes = [...perTransaction.values()];
      expect(sizes.filter((n) => n > 5)).toEqual([8]); // only the append larger than the cap, alone
      expect(Math.max(...sizes.filter((n) => n <= 5))).toBe(5); // and the others did group
    });

    it('many writers on a few streams through two stores: every event once, chains and readAll order hold', async () => {
      const { grouped, schema, driver } = await storeWith({ maxInFlight: 2 });
      const other =
        harness.concurrency === 'server'
          ? await harness.otherProcess?.(schema)
          : await createPostgresEventStore({ driver, schema, migrate: false });
      if (!other) throw new Error('a server harness provides otherProcess');
      const streams = [stream(), stream(), stream()];
      const written: string[] = [];
      await Promise.all(
        Array.from({ length: 24 }, async (_, w) => {
          const store = w % 2 === 0 ? grouped : other;
          for (let i = 0; i < 8; i++) {
            const e = event('Mixed', { w, i });
            await store.appendToStream(streams[(w + i) % streams.length] as string, [e]);
            written.push(e.id);
          }
        }),
      );
      await other.close();
      const log = (await wholeLog(grouped, written.length)).filter((e) => e.type === 'Mixed');
      expect(log.map((e) => e.id).sort()).toEqual([...written].sort());
      for (const s of streams) {
        // readAll meets each stream's events in revision order, with no gap.
        const revisions = log.filter((e) => e.streamName === s).map((e) => e.revision);
        expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
      }
      expect(grouped.groupCommitStats().largestBatch).toBeGreaterThan(1);
      expect((await grouped.verifyIntegrity()).ok).toBe(true);
    });
  });
}
