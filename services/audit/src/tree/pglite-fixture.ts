/**
 * For the audit's integration specs on PGlite (the embedded mode, the same SQL as PostgreSQL):
 * one in-memory database per file, and before each test a fresh store and audit schema with
 * the tree's tables made by the sealer's own migrations. Not a fake: real SQL, real tables.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createPostgresEventStore, pgliteDriver, quoteIdent } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { initProcessor } from '@newsroom/processing';
import type { LogSigner } from './seal.js';
import { treeSealer } from './sealer.js';

export interface AuditFixture {
  readonly db: PGlite;
  readonly sql: SqlDriver;
  readonly store: PostgresEventStore;
  /** The audit schema, unquoted and quoted. */
  readonly schema: string;
  readonly tables: string;
  /** `count` events, each the first of a new article stream. */
  readonly append: (count: number) => Promise<void>;
}

/** Registers the hooks; read the fixture's fields inside tests (they change per test). */
export const useAuditOnPglite = (name: string, signer: LogSigner): AuditFixture => {
  const fixture = {} as { -readonly [K in keyof AuditFixture]: AuditFixture[K] };
  let n = 0;
  beforeAll(async () => {
    fixture.db = await PGlite.create();
    fixture.sql = pgliteDriver(fixture.db);
  });
  afterAll(async () => {
    await fixture.store?.close();
    await fixture.db?.close();
  });
  beforeEach(async () => {
    n++;
    await fixture.store?.close();
    const { sql } = fixture;
    fixture.store = await createPostgresEventStore({ driver: sql, schema: `${name}_store_${n}` });
    fixture.schema = `${name}_audit_${n}`;
    fixture.tables = quoteIdent(fixture.schema);
    const sealer = treeSealer({
      schema: fixture.schema,
      sql,
      store: fixture.store,
      signer,
      sealIntervalMs: 1e9,
      treePollMs: 1e9,
    });
    await initProcessor(sql, sealer.processor);
  });
  fixture.append = async (count) => {
    for (let i = 0; i < count; i++) {
      await fixture.store.appendToStream(`article-${randomUUID()}`, [
        { id: randomUUID(), type: 'DraftCreated.v1', data: { i } },
      ]);
    }
  };
  return fixture;
};
