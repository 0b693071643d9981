/**
 * The publishing scheduler, a processor: its read model `<schema>.schedules` holds one row
 * per article with a pending scheduled or embargoed publication, fed by the events that set or
 * clear one; its tick, run by the active instance only, sends ReleaseScheduledPublication as
 * the `system` actor for each article whose release time has come. The release carries the
 * event that scheduled it as its causation (and that event's correlation), and its command id
 * is derived from the scheduled revision, so a release retried after a crash is recognised by
 * the store, not repeated. The decider still judges: a schedule cancelled meanwhile is
 * refused and its row dropped.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { articleStreamName } from '@newsroom/contracts';
import type { ArticleCommand, ArticleEventMessage, ArticleEventType } from '@newsroom/contracts';
import { ack, handles } from '@newsroom/processing';
import type { Processor, ProcessorMigration } from '@newsroom/processing';
import { articleSpec, commandMetadata, eventIdFor, handleCommand } from '@newsroom/service-kit';
import type { ServiceDeps } from '@newsroom/service-kit';
import type { SqlQueryable } from '@newsroom/event-store';

export const SCHEDULER_ACTOR = { id: 'publishing-scheduler', role: 'system' } as const;

export interface SchedulerOptions {
  /** How often due schedules are looked for. Default 1000 ms. */
  readonly intervalMs?: number;
  /** The service's own schema for its read models. Default `deps.readModelSchema('publishing')`. */
  readonly schema?: string;
  readonly log?: (line: Record<string, unknown>) => void;
}

/** The only events that change the schedule table; every other one is passed over undecoded. */
const SCHEDULE_EVENTS: readonly ArticleEventType[] = [
  'PublicationScheduled.v1',
  'ScheduleCancelled.v1',
  'ArticlePublished.v1',
  'ArticleRetracted.v1',
];

const MIGRATIONS: readonly ProcessorMigration[] = [
  {
    version: 1,
    name: 'schedules',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.schedules (
         article_id uuid PRIMARY KEY,
         release_at timestamptz NOT NULL,
         embargo boolean NOT NULL,
         revision bigint NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS schedules_release_at ON ${s}.schedules (release_at)`,
    ],
  },
  {
    version: 2,
    name: 'the event that scheduled each release, for its causation',
    statements: (s) => [
      `ALTER TABLE ${s}.schedules ADD COLUMN IF NOT EXISTS event_id uuid`,
      `ALTER TABLE ${s}.schedules ADD COLUMN IF NOT EXISTS correlation_id text`,
    ],
  },
];

/** One message into the schedule table (guarded by stream revision as well as by the marks). */
const project = async (sql: SqlQueryable, s: string, m: ArticleEventMessage): Promise<void> => {
  const e = m.event;
  switch (e.type) {
    case 'PublicationScheduled.v1':
      await sql.query(
        `INSERT INTO ${s}.schedules (article_id, release_at, embargo, revision, event_id, correlation_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (article_id) DO UPDATE SET release_at = EXCLUDED.release_at,
           embargo = EXCLUDED.embargo, revision = EXCLUDED.revision,
           event_id = EXCLUDED.event_id, correlation_id = EXCLUDED.correlation_id
         WHERE ${s}.schedules.revision < EXCLUDED.revision`,
        [
          m.articleId,
          e.data.releaseAt,
          e.data.embargo,
          m.revision,
          m.eventId,
          m.metadata.correlationId,
        ],
      );
      return;
    case 'ScheduleCancelled.v1':
    case 'ArticlePublished.v1':
    case 'ArticleRetracted.v1':
      await sql.query(`DELETE FROM ${s}.schedules WHERE article_id = $1 AND revision < $2`, [
        m.articleId,
        m.revision,
      ]);
      return;
    default:
      return;
  }
};

interface DueRow {
  readonly article_id: string;
  readonly revision: string;
  readonly event_id: string | null;
  readonly correlation_id: string | null;
}

/** Sends the release of one due schedule; true when this call released it. */
const release = async (
  deps: ServiceDeps,
  s: string,
  row: DueRow,
  now: Date,
  log: (line: Record<string, unknown>) => void,
): Promise<boolean> => {
  const articleId = row.article_id;
  // One command id per scheduled revision: a retry after a crash is recognised, not repeated.
  const commandId = eventIdFor(`${articleId}:${row.revision}`, 'release');
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
      correlationId: row.correlation_id ?? commandId,
      causationId: row.event_id ?? commandId,
      now,
    }),
  });
  const drop = () =>
    deps.sql.query(`DELETE FROM ${s}.schedules WHERE article_id = $1 AND revision = $2`, [
      articleId,
      row.revision,
    ]);
  if (!isLeft(result)) {
    if (!result.right.replayed) return true;
    await drop(); // released before (seen again while the read model replays): the row is stale
    return false;
  }
  const failure = result.left;
  // Cancelled, retracted or already published in the meantime: the row is stale.
  if (failure.tag === 'Rejected' && failure.rejection._tag !== 'ScheduleNotDue') await drop();
  log({ level: 'warn', msg: 'scheduler: release refused', articleId, failure: failure.tag });
  return false;
};

/** Releases what is due at `now`; resolves to the article ids released. */
export const releaseDue = async (
  deps: ServiceDeps,
  s: string,
  now: Date,
  log: (line: Record<string, unknown>) => void = () => undefined,
): Promise<readonly string[]> => {
  const { rows } = await deps.sql.query<DueRow>(
    `SELECT article_id::text AS article_id, revision::text AS revision,
            event_id::text AS event_id, correlation_id
       FROM ${s}.schedules WHERE release_at <= $1 ORDER BY release_at LIMIT 100`,
    [now.toISOString()],
  );
  const released: string[] = [];
  for (const row of rows) {
    if (await release(deps, s, row, now, log)) released.push(row.article_id);
  }
  return released;
};

export const SCHEDULER_NAME = 'publishing.scheduler';

export const schedulerProcessor = (
  deps: ServiceDeps,
  options: SchedulerOptions = {},
): Processor => {
  const clock = deps.clock ?? (() => new Date());
  return {
    name: SCHEDULER_NAME,
    // 3: on the processor layer (1 and 2 were the hand-rolled subscription's names).
    version: 3,
    schema: options.schema ?? deps.readModelSchema('publishing'),
    canHandle: handles(...SCHEDULE_EVENTS),
    // Fed by the store's log in every wiring: that source has one active instance, so the
    // tick that releases schedules runs once in the deployment however many processes run.
    source: 'store',
    migrations: MIGRATIONS,
    handle: async (batch, { sql, schema }) => {
      for (const message of batch) await project(sql, schema, message);
      return ack;
    },
    truncate: async ({ sql, schema }) => void (await sql.query(`DELETE FROM ${schema}.schedules`)),
    tick: {
      intervalMs: options.intervalMs ?? 1000,
      run: async ({ schema, log }) =>
        void (await releaseDue(deps, schema, clock(), options.log ?? log)),
    },
  };
};
