/**
 * The publishing scheduler: releases due schedules and embargoes. Its read model, the table
 * `<schema>.schedules`, is fed by a durable subscription to the event store (rebuilt from
 * events when dropped); every tick it sends ReleaseScheduledPublication, as the `system`
 * actor, for each article whose release time has come. The decider still judges: a schedule
 * cancelled in the meantime is refused and its row dropped.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { ArticleEvent, articleIdOfStream } from '@newsroom/contracts';
import type { ArticleCommand, ArticleEventType } from '@newsroom/contracts';
import {
  articleSpec,
  articleStreamName,
  commandMetadata,
  eventIdFor,
  handleCommand,
} from '@newsroom/service-kit';
import type { ServiceDeps } from '@newsroom/service-kit';
import type { RecordedEvent, Subscription } from '@newsroom/event-store';

export const SCHEDULER_ACTOR = { id: 'publishing-scheduler', role: 'system' } as const;

export interface SchedulerOptions {
  /** How often due schedules are looked for. Default 1000 ms. */
  readonly intervalMs?: number;
  /** The service's own schema for its read models. Default `deps.readModelSchema('publishing')`. */
  readonly schema?: string;
  readonly log?: (line: Record<string, unknown>) => void;
  /** Pause before subscribing again after the projection failed. Default 1000 ms. */
  readonly resubscribeAfterMs?: number;
}

/** The only events that change the schedule table; every other one is passed over undecoded. */
const SCHEDULE_EVENTS: ReadonlySet<string> = new Set<ArticleEventType>([
  'PublicationScheduled.v1',
  'ScheduleCancelled.v1',
  'ArticlePublished.v1',
  'ArticleRetracted.v1',
]);

export interface Scheduler {
  /** Rejects while the schedule projection is not subscribed (for /readyz). */
  ready(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Releases what is due now; resolves to the article ids released. */
  tick(): Promise<readonly string[]>;
}

export const createScheduler = (deps: ServiceDeps, options: SchedulerOptions = {}): Scheduler => {
  const schema = options.schema ?? deps.readModelSchema('publishing');
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const table = `${schema}.schedules`;
  const clock = deps.clock ?? (() => new Date());
  const log = options.log ?? ((line) => console.error(JSON.stringify(line)));
  let subscription: Subscription | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let subscribed = false;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;

  /** Projection: one row per scheduled article, guarded by stream revision (at-least-once safe). */
  const project = async (event: RecordedEvent): Promise<void> => {
    const articleId = articleIdOfStream(event.streamName);
    if (articleId === undefined || !SCHEDULE_EVENTS.has(event.type)) return;
    const decoded = ArticleEvent.decode({ type: event.type, data: event.data });
    if (isLeft(decoded)) {
      log({
        level: 'error',
        msg: 'scheduler: undecodable event skipped',
        stream: event.streamName,
        revision: String(event.revision),
      });
      return;
    }
    const e = decoded.right;
    switch (e.type) {
      case 'PublicationScheduled.v1':
        await deps.sql.query(
          `INSERT INTO ${table} (article_id, release_at, embargo, revision) VALUES ($1, $2, $3, $4)
           ON CONFLICT (article_id) DO UPDATE SET release_at = EXCLUDED.release_at,
             embargo = EXCLUDED.embargo, revision = EXCLUDED.revision
           WHERE ${table}.revision < EXCLUDED.revision`,
          [articleId, e.data.releaseAt, e.data.embargo, event.revision.toString()],
        );
        return;
      case 'ScheduleCancelled.v1':
      case 'ArticlePublished.v1':
      case 'ArticleRetracted.v1':
        await deps.sql.query(`DELETE FROM ${table} WHERE article_id = $1 AND revision < $2`, [
          articleId,
          event.revision.toString(),
        ]);
        return;
      default:
        return;
    }
  };

  const release = async (articleId: string, revision: string, now: Date): Promise<boolean> => {
    // One command id per scheduled revision: a retry after a crash is recognised, not repeated.
    const commandId = eventIdFor(`${articleId}:${revision}`, 'release');
    const command: ArticleCommand = {
      type: 'ReleaseScheduledPublication',
      data: {},
      articleId,
      commandId,
      actor: SCHEDULER_ACTOR,
      now: now.toISOString(),
    };
    const result = await handleCommand(articleSpec(deps.store), {
      streamName: articleStreamName(articleId),
      commandId,
      command,
      metadata: commandMetadata({
        actor: SCHEDULER_ACTOR,
        commandId,
        commandType: command.type,
        correlationId: commandId,
        causationId: commandId,
        now,
      }),
    });
    if (!isLeft(result)) {
      if (!result.right.replayed) return true;
      // Released before (seen again while the projection replays): the row is stale.
      await deps.sql.query(`DELETE FROM ${table} WHERE article_id = $1 AND revision = $2`, [
        articleId,
        revision,
      ]);
      return false;
    }
    const failure = result.left;
    if (failure.tag === 'Rejected' && failure.rejection._tag !== 'ScheduleNotDue') {
      // Cancelled, retracted or already published in the meantime: the row is stale.
      await deps.sql.query(`DELETE FROM ${table} WHERE article_id = $1 AND revision = $2`, [
        articleId,
        revision,
      ]);
    }
    log({ level: 'warn', msg: 'scheduler: release refused', articleId, failure: failure.tag });
    return false;
  };

  const tick = async (): Promise<readonly string[]> => {
    const now = clock();
    const { rows } = await deps.sql.query<{ article_id: string; revision: string }>(
      `SELECT article_id::text AS article_id, revision::text AS revision FROM ${table}
       WHERE release_at <= $1 ORDER BY release_at LIMIT 100`,
      [now.toISOString()],
    );
    const released: string[] = [];
    for (const row of rows) {
      if (await release(row.article_id, row.revision, now)) released.push(row.article_id);
    }
    return released;
  };

  const loop = (intervalMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) =>
          log({ level: 'error', msg: 'scheduler tick failed', error: String(error) }),
        )
        .finally(() => loop(intervalMs));
    }, intervalMs);
  };

  /** Feeds the schedule table; if the projection fails (a database blip), subscribes again
   *  after a pause, from the stored checkpoint. Not ready while it is down. */
  const subscribe = (): void => {
    if (stopped) return;
    const current = deps.store.subscribeToAll(project, {
      // v2: the event codecs now read records that v1 skipped as undecodable (actors written
      // before token subjects were checked), so the projection is replayed from the start under
      // a new name. Replaying is harmless: every row is guarded by stream revision.
      subscriptionName: `${schema}.scheduler.v2`,
      // The projection is guarded by stream revision: seeing an event again is harmless, so
      // the checkpoint is stored once a second rather than after every batch.
      checkpointIntervalMs: 1000,
    });
    subscription = current;
    subscribed = true;
    current.done.catch((error: unknown) => {
      subscribed = false;
      log({
        level: 'error',
        msg: 'scheduler subscription stopped; resubscribing',
        error: String(error),
      });
      resubscribeTimer = setTimeout(subscribe, options.resubscribeAfterMs ?? 1000);
    });
  };

  return {
    ready: async () => {
      if (!subscribed) throw new Error('the schedule projection is not subscribed');
    },
    async start() {
      await deps.sql.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await deps.sql.query(
        `CREATE TABLE IF NOT EXISTS ${table} (
           article_id uuid PRIMARY KEY,
           release_at timestamptz NOT NULL,
           embargo boolean NOT NULL,
           revision bigint NOT NULL)`,
      );
      await deps.sql.query(
        `CREATE INDEX IF NOT EXISTS schedules_release_at ON ${table} (release_at)`,
      );
      subscribe();
      loop(options.intervalMs ?? 1000);
    },
    async stop() {
      stopped = true;
      if (resubscribeTimer !== undefined) clearTimeout(resubscribeTimer);
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await subscription?.stop();
    },
    tick,
  };
};
