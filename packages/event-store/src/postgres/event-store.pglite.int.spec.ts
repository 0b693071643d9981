/**
 * The contract on PGlite: one fresh in-memory instance for this file, a fresh schema in it
 * for every store.
 */
import { PGlite } from '@electric-sql/pglite';
import { describeEventStoreContract, storesOn } from '../event-store.contract.js';
import { describeGroupCommitContract } from '../group-commit.contract.js';
import type { ContractHarness } from '../event-store.contract.js';
import { pgliteDriver } from './driver.js';

const pgliteHarness = async (): Promise<ContractHarness> => {
  const db = await PGlite.create();
  const driver = pgliteDriver(db);
  let schemas = 0;
  const { open, closeAll } = storesOn(driver);
  return {
    concurrency: 'single-connection',
    async freshStore() {
      const schema = `es_test_${schemas++}`;
      const store = await open(schema);
      return { store, schema, driver, reopen: () => open(schema, false) };
    },
    async close() {
      await closeAll();
      await db.close();
    },
  };
};

describeEventStoreContract('PGlite (in memory)', pgliteHarness);
describeGroupCommitContract('PGlite (in memory)', pgliteHarness);
