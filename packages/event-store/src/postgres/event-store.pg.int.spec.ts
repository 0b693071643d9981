/**
 * The contract on a real PostgreSQL server (DATABASE_URL, default the local `test` database).
 * Every store gets a fresh schema named after this run; all of them are dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeEventStoreContract, storesOn } from '../event-store.contract.js';
import { describeGroupCommitContract } from '../group-commit.contract.js';
import type { ContractHarness } from '../event-store.contract.js';
import { pgDriver } from './driver.js';
import type { PostgresEventStore, PostgresEventStoreOptions } from './postgres-event-store.js';
import { createPostgresEventStore } from './postgres-event-store.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const serverHarness = async (): Promise<ContractHarness> => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 24 });
  const driver = pgDriver(pool);
  const prefix = `es_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const schemas: string[] = [];
  const { open, closeAll } = storesOn(driver);
  return {
    concurrency: 'server',
    async freshStore() {
      const schema = `${prefix}_${schemas.length}`;
      schemas.push(schema);
      const store = await open(schema);
      return { store, schema, driver, reopen: () => open(schema, false) };
    },
    async session(schema) {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      const store = await createPostgresEventStore({
        driver: pgDriver(client),
        schema,
        migrate: false,
      });
      return {
        store,
        exec: async (sql) => {
          await client.query(sql);
        },
        close: async () => {
          await store.close();
          await client.end();
        },
      };
    },
    async otherProcess(schema) {
      const otherPool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      const store = await createPostgresEventStore({
        driver: pgDriver(otherPool),
        schema,
        migrate: false,
      });
      return {
        ...store,
        close: async () => {
          await store.close();
          await otherPool.end();
        },
      };
    },
    async close() {
      await closeAll();
      for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
};

describeEventStoreContract('PostgreSQL server (node-postgres)', serverHarness);
describeGroupCommitContract('PostgreSQL server (node-postgres)', serverHarness);

/**
 * A store on a pool and one on a connection of the test's own (whose transactions the test
 * opens and ends), on a fresh schema; `run` gets both, and everything is dropped after.
 */
async function withOutsideAndInside(
  name: string,
  settings: Pick<PostgresEventStoreOptions, 'groupCommit'>,
  run: (stores: {
    readonly outside: PostgresEventStore;
    readonly inside: PostgresEventStore;
    readonly client: pg.Client;
  }) => Promise<void>,
): Promise<void> {
  const schema = `es_test_${name}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const outside = await createPostgresEventStore({ driver: pgDriver(pool), schema, ...settings });
    const inside = await createPostgresEventStore({
      driver: pgDriver(client),
      schema,
      migrate: false,
    });
    await run({ outside, inside, client });
    await inside.close();
    await outside.close();
  } finally {
    await client.end().catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

const event = (type: string) => ({ id: randomUUID(), type, data: { type } });

describe('a store on a connection whose transactions the caller controls', () => {
  it('never builds on a head that a rolled-back transaction held', () =>
    withOutsideAndInside('rollback', {}, async ({ outside, inside, client }) => {
      await inside.appendToStream('s', [event('E0')], { expectedRevision: 'no_stream' });
      await client.query('BEGIN');
      await inside.appendToStream('s', [event('Rolled back')], { expectedRevision: 0n });
      await client.query('ROLLBACK');
      // Revision 1 never existed: building on it would leave a gap in the chain.
      await expect(
        inside.appendToStream('s', [event('E1')], { expectedRevision: 1n }),
      ).rejects.toMatchObject({ failure: { tag: 'WrongExpectedVersion', actual: 0n } });
      await inside.appendToStream('s', [event('E1')], { expectedRevision: 0n });
      expect((await outside.readStream('s')).map((e) => e.revision)).toEqual([0n, 1n]);
      expect(await outside.verifyIntegrity()).toMatchObject({ ok: true });
    }));
});

describe('group commit beside a transaction held open elsewhere (PostgreSQL)', () => {
  it('a batch does not wait on it for long, and appends to its stream stay in the order they came', () =>
    withOutsideAndInside(
      'held',
      { groupCommit: { maxInFlight: 2 } },
      async ({ outside: grouped, inside, client }) => {
        await grouped.appendToStream('s', [event('E0')]);
        await client.query('BEGIN');
        await inside.appendToStream('s', [event('Older')]); // revision 1, not committed
        // Two holders take both batch slots, so that the next three wait and go together.
        const holder = Promise.all([
          grouped.appendToStream('holder-1', [event('Holder')]),
          grouped.appendToStream('holder-2', [event('Holder')]),
        ]);
        const first = grouped.appendToStream('s', [event('First')]);
        const second = grouped.appendToStream('s', [event('Second')]);
        const bystander = grouped.appendToStream('other', [event('Bystander')]);
        await holder;
        // The batch [Bystander, First, Second] meets the open transaction's row: it gives up
        // waiting after its lock timeout; run again alone, First waits for that row in a slot
        // of its own (Second behind it: same stream), and the bystander is written beside it.
        const started = Date.now();
        expect(await bystander).toMatchObject({ nextExpectedRevision: 0n });
        expect(Date.now() - started).toBeLessThan(2_000);
        await client.query('COMMIT');
        expect((await first).nextExpectedRevision).toBe(2n);
        expect((await second).nextExpectedRevision).toBe(3n);
        expect((await grouped.readStream('s')).map((e) => e.type)).toEqual([
          'E0',
          'Older',
          'First',
          'Second',
        ]);
        expect(await grouped.verifyIntegrity()).toMatchObject({ ok: true });
      },
    ));
});

describe('group commit inside a transaction the caller holds (PostgreSQL)', () => {
  it('a batch there waits for another session as long as it takes: no lock timeout aborts the caller', () =>
    withOutsideAndInside('callers', {}, async ({ outside, inside, client }) => {
      await outside.appendToStream('s', [event('E0')]);
      // Another session holds revision 1 of s, uncommitted.
      const other = new pg.Client({ connectionString: DATABASE_URL });
      await other.connect();
      try {
        const otherStore = await createPostgresEventStore({
          driver: pgDriver(other),
          schema: outside.schema,
          migrate: false,
        });
        await other.query('BEGIN');
        await otherStore.appendToStream('s', [event('Other')]);
        await client.query('BEGIN');
        // One connection: the first append holds the slot, the next two go as one batch.
        const holder = inside.appendToStream('holder', [event('Holder')]);
        const mine = inside.appendToStream('s', [event('Mine')]);
        const beside = inside.appendToStream('beside', [event('Beside')]);
        await holder;
        await new Promise((resolve) => setTimeout(resolve, 400)); // well past 100 ms
        await other.query('COMMIT');
        expect((await mine).nextExpectedRevision).toBe(2n);
        expect((await beside).nextExpectedRevision).toBe(0n);
        await client.query('COMMIT');
        expect((await outside.readStream('s')).map((e) => e.type)).toEqual(['E0', 'Other', 'Mine']);
        expect(await outside.readStream('beside')).toHaveLength(1);
        expect(inside.groupCommitStats().largestBatch).toBe(2);
        await otherStore.close();
      } finally {
        await other.end().catch(() => undefined);
      }
    }));
});
