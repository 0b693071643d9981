/**
 * The scheduler on the processor layer, on a real store (PGlite): its read model under
 * at-least-once delivery (given / when delivered N times / then), and the runtime reporting it
 * not ready while its table is gone, then catching up from its position once it is back.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEvent } from '@newsroom/contracts';
import { createPostgresEventStore, pgliteDriver } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import {
  articleMessages,
  eventDataOf,
  processorSpec,
  startProcessor,
  storeDeadLetters,
  storeSource,
} from '@newsroom/processing';
import type { RunningProcessor } from '@newsroom/processing';
import { createAuthenticator, readModelSchemas } from '@newsroom/service-kit';
import type { ServiceDeps } from '@newsroom/service-kit';
import { schedulerProcessor } from './scheduler.js';

const by = { id: 'publisher.s', role: 'publisher' } as const;
const at = '2026-04-08T14:00:00.000Z';
const scheduled = (articleId: string, releaseAt: string): ArticleEvent => ({
  type: 'PublicationScheduled.v1',
  data: { articleId, at, by, embargo: false, releaseAt },
});
const cancelled = (articleId: string): ArticleEvent => ({
  type: 'ScheduleCancelled.v1',
  data: { articleId, at, by, reason: 'hoãn' },
});

describe('the scheduler', () => {
  let db: PGlite;
  let sql: SqlDriver;
  let store: PostgresEventStore;
  let deps: ServiceDeps;

  beforeAll(async () => {
    db = await PGlite.create();
    sql = pgliteDriver(db);
    store = await createPostgresEventStore({ driver: sql });
    deps = {
      store,
      sql,
      readModelSchema: readModelSchemas(undefined),
      authenticator: createAuthenticator({ kind: 'hs256', secret: 'x'.repeat(32) }),
      log: () => undefined, // the scheduler's lines are not what this tests
    };
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
  });

  const spec = (schema: string) =>
    processorSpec(schedulerProcessor(deps, { schema, intervalMs: 60_000 }), sql);
  const rows = async (schema: string) =>
    (
      await sql.query<{ article_id: string; revision: string; event_id: string }>(
        `SELECT article_id::text AS article_id, revision::text AS revision, event_id::text AS event_id
           FROM ${schema}.schedules ORDER BY article_id`,
      )
    ).rows;

  it('keeps one row per schedule, however often the schedule is delivered', async () => {
    const id = randomUUID();
    const [message] = articleMessages(id, [scheduled(id, '2030-01-01T00:00:00.000Z')], {
      fromRevision: 4,
    });
    await spec('sched_a')
      .given()
      .when([message!], { times: 3 })
      .then(async () => {
        expect(await rows('sched_a')).toEqual([
          { article_id: id, revision: '4', event_id: message!.eventId },
        ]);
      });
  });

  it('drops the row of a cancelled schedule, and a redelivered schedule does not bring it back', async () => {
    const id = randomUUID();
    const messages = articleMessages(
      id,
      [scheduled(id, '2030-01-01T00:00:00.000Z'), cancelled(id)],
      { fromRevision: 4 },
    );
    await spec('sched_b')
      .given()
      .when(messages, { times: 3, oneByOne: true })
      .then(async () => {
        expect(await rows('sched_b')).toEqual([]);
      });
  });

  it('passes over events it does not handle and dead-letters none', async () => {
    const id = randomUUID();
    const messages = articleMessages(id, [
      { type: 'ArticleUnpublished.v1', data: { articleId: id, at, by, reason: 'r' } },
    ] as unknown as ArticleEvent[]);
    await spec('sched_c')
      .given()
      .when(messages, { times: 2 })
      .then(async ({ deadLetters }) => {
        expect(await rows('sched_c')).toEqual([]);
        expect(deadLetters).toEqual([]);
      });
  });

  describe('on the runtime, when its table is gone', () => {
    let running: RunningProcessor;
    beforeAll(async () => {
      running = startProcessor({
        processor: schedulerProcessor(deps, { schema: 'sched_run', intervalMs: 60_000 }),
        sql,
        store,
        source: storeSource({ store }),
        deadLetters: storeDeadLetters(store.schema),
        registry: new Registry(),
        log: () => undefined,
        retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 20 },
        restartDelayMs: 20,
        lagIntervalMs: 50,
      });
      await running.whenCaughtUp();
    });
    afterAll(async () => {
      await running?.stop();
    });

    const ready = () =>
      running.ready().then(
        () => true,
        () => false,
      );
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await check()); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return check();
    };

    it('is not ready while it cannot project, then catches up from its position', async () => {
      expect(await ready()).toBe(true);
      await sql.query('DROP TABLE sched_run.schedules');
      const articleId = randomUUID();
      const [message] = articleMessages(articleId, [
        scheduled(articleId, '2030-01-01T00:00:00.000Z'),
      ]);
      const appended = await store.appendToStream(`article-${articleId}`, [eventDataOf(message!)]);
      expect(await until(async () => !(await ready()))).toBe(true);

      await sql.query(
        `CREATE TABLE sched_run.schedules (article_id uuid PRIMARY KEY, release_at timestamptz NOT NULL,
           embargo boolean NOT NULL, revision bigint NOT NULL, event_id uuid, correlation_id text)`,
      );
      await running.whenProcessed(appended.position);
      expect(await ready()).toBe(true);
      expect((await rows('sched_run')).map((r) => r.article_id)).toEqual([articleId]);
      // A database failure is not the message's: nothing was dead-lettered.
      const letters = await sql.query(`SELECT 1 FROM ${store.schema}.dead_letters`);
      expect(letters.rows).toEqual([]);
    });
  });
});
