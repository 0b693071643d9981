/**
 * The scheduler's projection on a real store (PGlite): when it fails (here: its table is
 * gone), the scheduler reports not ready, subscribes again from its checkpoint, and once the
 * table is back the schedule that failed is projected after all.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore, pgliteDriver } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { createAuthenticator, readModelSchemas } from '@newsroom/service-kit';
import { createScheduler } from './scheduler.js';
import type { Scheduler } from './scheduler.js';

const until = async (check: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('the scheduler when its projection fails', () => {
  let db: PGlite;
  let sql: SqlDriver;
  let store: PostgresEventStore;
  let scheduler: Scheduler;

  beforeAll(async () => {
    db = await PGlite.create();
    sql = pgliteDriver(db);
    store = await createPostgresEventStore({ driver: sql });
    scheduler = createScheduler(
      {
        store,
        sql,
        readModelSchema: readModelSchemas(undefined),
        authenticator: createAuthenticator({ kind: 'hs256', secret: 'x'.repeat(32) }),
      },
      { intervalMs: 60_000, resubscribeAfterMs: 50, log: () => undefined },
    );
    await scheduler.start();
  });
  afterAll(async () => {
    await scheduler?.stop();
    await store?.close();
    await db?.close();
  });

  const ready = () =>
    scheduler.ready().then(
      () => true,
      () => false,
    );

  it('is not ready while it cannot project, then catches up from its checkpoint', async () => {
    expect(await ready()).toBe(true);
    await sql.query('DROP TABLE publishing.schedules');

    const articleId = randomUUID();
    const releaseAt = '2030-01-01T00:00:00.000Z';
    await store.appendToStream(`article-${articleId}`, [
      {
        id: randomUUID(),
        type: 'PublicationScheduled.v1',
        data: {
          articleId,
          at: new Date().toISOString(),
          by: { id: 'publisher.s', role: 'publisher' },
          embargo: false,
          releaseAt,
        },
      },
    ]);
    await until(async () => !(await ready()));

    await sql.query(
      `CREATE TABLE publishing.schedules (article_id uuid PRIMARY KEY, release_at timestamptz NOT NULL,
         embargo boolean NOT NULL, revision bigint NOT NULL)`,
    );
    await until(ready);
    await until(async () => {
      const { rows } = await sql.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM publishing.schedules WHERE article_id = $1',
        [articleId],
      );
      return rows[0]?.n === '1';
    });
  });
});
