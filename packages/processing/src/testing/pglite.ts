/**
 * An in-memory PGlite for a spec file's read-model specs: created before them, closed after.
 * Takes the test runner's hooks (this module is not a test file and imports no runner).
 */
import { PGlite } from '@electric-sql/pglite';
import { pgliteDriver } from '@newsroom/event-store';
import type { SqlDriver } from '@newsroom/event-store';

type Hook = (fn: () => Promise<void>) => void;

/** The driver of the file's PGlite (call it inside a test, once `beforeAll` has run). */
export const pgliteForSpecs = (beforeAll: Hook, afterAll: Hook): (() => SqlDriver) => {
  let db: PGlite | undefined;
  let sql: SqlDriver | undefined;
  beforeAll(async () => {
    db = await PGlite.create();
    sql = pgliteDriver(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (sql === undefined) throw new Error('the PGlite of this file is not open yet');
    return sql;
  };
};
