/**
 * The contract on PGlite: one fresh in-memory instance for this file, a fresh schema in it
 * for every store.
 */
import { PGlite } from '@electric-sql/pglite';
import { describeEventStoreContract } from '../event-store.contract.js';
import { describeGroupCommitContract } from '../group-commit.contract.js';
import type { ContractHarness } from '../event-store.contract.js';
import { pgliteDriver } from './driver.js';
import type { PostgresEventStore } from './postgres-event-store.js';
import { createPostgresEventStore } from './postgres-event-store.js';

const settle = (promise: Promise<unknown>, ms = 5_000): Promise<unknown> =>
  Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms))]);

const pgliteHarness = async (): Promise<ContractHarness> => {
  const db = await PGlite.create();
  const driver = pgliteDriver(db);
  let schemas = 0;
  const stores: PostgresEventStore[] = [];
  const open = async (schema: string, migrate = true) => {
    const store = await createPostgresEventStore({ driver, schema, migrate });
    stores.push(store);
    return store;
  };
  return {
    concurrency: 'single-connection',
    async freshStore() {
      const schema = `es_test_${schemas++}`;
      const store = await open(schema);
      return { store, schema, driver, reopen: () => open(schema, false) };
    },
    async close() {
      // A store whose handler a failed test left blocked would never close: do not wait for it.
      for (const store of stores) await settle(store.close());
      await db.close();
    },
  };
};

describeEventStoreContract('PGlite (in memory)', pgliteHarness);
describeGroupCommitContract('PGlite (in memory)', pgliteHarness);
