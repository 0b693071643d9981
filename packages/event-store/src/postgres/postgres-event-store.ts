/**
 * The EventStore on PostgreSQL: the same SQL through node-postgres or PGlite (see driver.ts).
 * Appends go through append.ts (group commit: concurrent appends share one transaction, an
 * idle store's append is one statement); reads are single statements; subscriptions poll and
 * are woken by appends in this process and, on a server, by a coalesced NOTIFY from other
 * processes.
 */
import { createHash } from 'node:crypto';
import type {
  BatchHandler,
  BatchSubscribeOptions,
  LogHead,
  EventHandler,
  EventStore,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { comparePositions, START } from '../port.js';
import type { CheckpointStore } from '../subscription.js';
import { runSubscription, Waker } from '../subscription.js';
import type { GroupCommitSettings } from './append.js';
import { createAppender } from './append.js';
import type { SqlDriver, SqlQueryable } from './driver.js';
import { quoteIdent } from './driver.js';
import type { GroupCommitStats } from './group-commit.js';
import type { IntegrityReport, VerifyOptions } from './integrity.js';
import type { CopyRow } from './copy-binary.js';
import { copyAllRows, copyAllStored } from './copy-log.js';
import { verifyIntegrity } from './integrity.js';
import { assertSchemaName, migrate } from './migrations.js';
import type { EventRow } from './sql.js';
import { EVENT_COLUMNS, positionParams, readAllSql, readHeadSql, toRecordedEvent } from './sql.js';

export interface PostgresEventStoreOptions {
  readonly driver: SqlDriver;
  /** Schema holding the tables; one per deployment, or a fresh one per test. Default `event_store`. */
  readonly schema?: string;
  /** Run the migrations on creation (default true). */
  readonly migrate?: boolean;
  /** Send a coalesced NOTIFY after appends so other processes' subscriptions wake (default: when the driver can listen). */
  readonly notify?: boolean;
  /** At most one NOTIFY per this many ms (default 25). */
  readonly notifyIntervalMs?: number;
  /** Default poll interval of subscriptions (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** Group commit: concurrent appends share a transaction (on by default; see append.ts). */
  readonly groupCommit?: GroupCommitSettings;
}

export interface SealResult {
  readonly sealNumber: bigint;
  readonly eventCount: bigint;
  readonly lastPosition: Position;
  readonly hash: string;
}

export interface PostgresEventStore extends EventStore {
  readonly schema: string;
  /** Recomputes every stream's hash chain and every seal in Node; names the first bad event. */
  verifyIntegrity(options?: Omit<VerifyOptions, 'schema'>): Promise<IntegrityReport>;
  /**
   * Seals the global log up to the oldest running transaction: chains a hash over the seal
   * before and a running digest of every event hash in readAll order. Undefined when there
   * was nothing new to seal.
   */
  seal(options?: { readonly maxEvents?: number }): Promise<SealResult | undefined>;
  /** readAll's events as stored: the body is the exact text the hash covers, not parsed (for
   *  the tree, export and offline verification, which must see the bytes themselves). */
  readAllStored(options?: ReadAllOptions): Promise<readonly StoredEvent[]>;
  /**
   * readAllStored's events after `from`, up to the gap-free horizon when it starts, streamed
   * in one binary COPY a batch at a time: far faster for a reader of the whole log. Present on
   * PostgreSQL (a pool), absent on PGlite.
   */
  readonly streamAllStored?: (from?: Position) => AsyncGenerator<readonly StoredEvent[]>;
  /** streamAllStored's rows as their binary fields (LOG_COPY_FIELDS), for a reader that
   *  writes them out as they came. Present when streamAllStored is. */
  readonly streamAllRows?: (from?: Position) => AsyncGenerator<readonly CopyRow[]>;
  /** How appends were grouped into transactions so far (for benchmarks and metrics). */
  groupCommitStats(): GroupCommitStats;
}

/** An event as its row holds it. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: Position;
  /** RFC 8785 canonical JSON of { data, eventId, metadata, type }, exactly as stored. */
  readonly body: string;
  readonly recordedAt: Date;
  readonly previousHash: string;
  readonly hash: string;
}

const DEFAULT_SCHEMA = 'event_store';
/** Wake-ups shared by every store on the same Pool / PGlite and schema in this process: the
 *  subscriptions to wake, and how many wake-ups there were so far (see subscriptionPage). */
interface WakeUps {
  readonly wakers: Set<Waker>;
  count: number;
}
const wakeUpsOf = new WeakMap<object, Map<string, WakeUps>>();

function wakeUpsFor(target: object, schema: string): WakeUps {
  let bySchema = wakeUpsOf.get(target);
  if (!bySchema) {
    bySchema = new Map();
    wakeUpsOf.set(target, bySchema);
  }
  let shared = bySchema.get(schema);
  if (!shared) {
    shared = { wakers: new Set(), count: 0 };
    bySchema.set(schema, shared);
  }
  return shared;
}

/** Wakes every subscription on the store's target and schema. */
const wakeAllOf = (shared: WakeUps): void => {
  shared.count++;
  for (const w of shared.wakers) w.wake();
};

export async function createPostgresEventStore(
  options: PostgresEventStoreOptions,
): Promise<PostgresEventStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const { driver } = options;
  if (options.migrate !== false) await migrate(driver, schema);

  const s = quoteIdent(schema);
  // NOTIFY channel names are identifiers (at most 63 bytes): long schema names are hashed.
  const channel =
    schema.length <= 50
      ? `${schema}_events`
      : `es_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}_events`;
  const wakeUps = wakeUpsFor(driver.target, schema);
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const notifyEnabled = (options.notify ?? true) && driver.listen !== undefined;
  const notifyIntervalMs = options.notifyIntervalMs ?? 25;
  const readAllText = readAllSql(schema);
  const readAllName = `es_read_all_${schema}`;

  const subscriptions = new Set<Subscription>();
  let closed = false;
  let closing: Promise<void> | undefined;

  // --- cross-process wake-ups -------------------------------------------------------------
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  const ensureListening = (): void => {
    if (unlisten || !notifyEnabled || !driver.listen) return;
    const wakeAll = () => wakeAllOf(wakeUps);
    unlisten = driver
      .listen(channel, wakeAll)
      // Once listening, read again: a NOTIFY sent while LISTEN was being set up was lost,
      // and without this the subscription would only see that append at its next poll.
      .then((stop) => {
        wakeAll();
        return stop;
      })
      .catch(() => undefined); // polling still works without wake-ups
  };

  let notifyTimer: ReturnType<typeof setTimeout> | undefined;
  let notifyInFlight = false;
  let notifyPending = false;
  let lastNotify = 0;
  const sendNotify = (): void => {
    notifyTimer = undefined;
    if (closed) return;
    notifyInFlight = true;
    notifyPending = false;
    lastNotify = Date.now();
    driver
      .query('SELECT pg_notify($1, $2)', [channel, ''])
      .catch(() => undefined)
      .finally(() => {
        notifyInFlight = false;
        if (notifyPending) scheduleNotify();
      });
  };
  const scheduleNotify = (): void => {
    if (!notifyEnabled || closed) return;
    notifyPending = true;
    if (notifyInFlight || notifyTimer) return;
    const wait = Math.max(0, lastNotify + notifyIntervalMs - Date.now());
    notifyTimer = setTimeout(sendNotify, wait);
    notifyTimer.unref?.();
  };
  const afterAppend = (): void => {
    wakeAllOf(wakeUps);
    scheduleNotify();
  };

  // --- seals -------------------------------------------------------------------------------
  const seal = async (
    sealOptions: { readonly maxEvents?: number } = {},
  ): Promise<SealResult | undefined> => {
    const { rows } = await driver.query<{
      o_seal_number: string;
      o_event_count: string;
      o_last_transaction_id: string;
      o_last_position: string;
      o_hash: string;
    }>(`SELECT * FROM ${s}.seal($1)`, [sealOptions.maxEvents ?? 1_000_000]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      sealNumber: BigInt(row.o_seal_number),
      eventCount: BigInt(row.o_event_count),
      lastPosition: {
        transactionId: BigInt(row.o_last_transaction_id),
        sequence: BigInt(row.o_last_position),
      },
      hash: row.o_hash,
    };
  };
  // --- reads -------------------------------------------------------------------------------
  const readAllRows = async (q: SqlQueryable, from: Position, max: number) =>
    (await q.query<EventRow>(readAllText, [...positionParams(from), max], { name: readAllName }))
      .rows;
  const readAllPage = async (
    q: SqlQueryable,
    from: Position,
    max: number,
  ): Promise<readonly RecordedEvent[]> => (await readAllRows(q, from, max)).map(toRecordedEvent);
  /**
   * The subscriptions' read: subscriptions of this store that ask for the same page while it
   * is being read (the processors of one process, woken by the same append, at the same
   * position) share one query and one decoding of its rows, as long as no wake-up came since
   * that read began (a subscription woken by a later append reads for itself, so it sees that
   * append). readAll, whose caller may expect its own append, always reads for itself.
   */
  const reading = new Map<string, Promise<readonly RecordedEvent[]>>();
  const subscriptionPage = (from: Position, max: number): Promise<readonly RecordedEvent[]> => {
    const key = `${wakeUps.count}:${from.transactionId}:${from.sequence}:${max}`;
    const shared = reading.get(key);
    // A page of its own for each (a handler may hold on to its array), and a read of its own
    // if the shared one fails, so that one failure never stops every subscription at once.
    if (shared !== undefined) {
      return shared.then(
        (events) => events.slice(),
        () => readAllPage(driver, from, max),
      );
    }
    const read = readAllPage(driver, from, max).finally(() => reading.delete(key));
    reading.set(key, read);
    return read;
  };

  const readStream = async (
    streamName: string,
    readOptions: ReadStreamOptions = {},
  ): Promise<readonly RecordedEvent[]> => {
    const params: unknown[] = [streamName, (readOptions.fromRevision ?? 0n).toString()];
    let where = 'e.stream_name = $1 AND e.revision >= $2::bigint';
    if (readOptions.toRevision !== undefined) {
      params.push(readOptions.toRevision.toString());
      where += ` AND e.revision <= $${params.length}::bigint`;
    }
    if (readOptions.toInstant !== undefined) {
      params.push(readOptions.toInstant.toISOString());
      where += ` AND e.recorded_at <= $${params.length}::timestamptz`;
    }
    let limit = '';
    if (readOptions.maxCount !== undefined) {
      params.push(readOptions.maxCount);
      limit = ` LIMIT $${params.length}::integer`;
    }
    const { rows } = await driver.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${s}.events e WHERE ${where} ORDER BY e.revision${limit}`,
      params,
    );
    return rows.map(toRecordedEvent);
  };

  // --- subscriptions -----------------------------------------------------------------------
  const allCheckpoints = (name: string): CheckpointStore<Position> => ({
    async load() {
      const { rows } = await driver.query<{
        stream_name: string | null;
        transaction_id: string | null;
        position: string | null;
      }>(
        `SELECT stream_name, transaction_id::text AS transaction_id, position::text AS position
           FROM ${s}.checkpoints WHERE subscription_name = $1`,
        [name],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.stream_name !== null || row.transaction_id === null || row.position === null) {
        throw new Error(`subscription "${name}" is stored as a stream subscription`);
      }
      return { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) };
    },
    async save(expected, next) {
      const { rows } = expected
        ? await driver.query(
            `UPDATE ${s}.checkpoints SET transaction_id = $2::xid8, position = $3::bigint, updated_at = now()
              WHERE subscription_name = $1 AND stream_name IS NULL
                AND transaction_id = $4::xid8 AND position = $5::bigint
                AND ($2::xid8, $3::bigint) > ($4::xid8, $5::bigint)
             RETURNING 1`,
            [name, ...positionParams(next), ...positionParams(expected)],
          )
        : await driver.query(
            `INSERT INTO ${s}.checkpoints (subscription_name, transaction_id, position)
             VALUES ($1, $2::xid8, $3::bigint)
             ON CONFLICT (subscription_name) DO NOTHING RETURNING 1`,
            [name, ...positionParams(next)],
          );
      return rows.length === 1;
    },
  });

  const streamCheckpoints = (name: string, streamName: string): CheckpointStore<bigint> => ({
    async load() {
      const { rows } = await driver.query<{ stream_name: string | null; revision: string | null }>(
        `SELECT stream_name, revision::text AS revision FROM ${s}.checkpoints WHERE subscription_name = $1`,
        [name],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.stream_name !== streamName || row.revision === null) {
        throw new Error(`subscription "${name}" is stored for another stream or for $all`);
      }
      return BigInt(row.revision);
    },
    async save(expected, next) {
      const { rows } =
        expected !== undefined
          ? await driver.query(
              `UPDATE ${s}.checkpoints SET revision = $3::bigint, updated_at = now()
                WHERE subscription_name = $1 AND stream_name = $2
                  AND revision = $4::bigint AND $3::bigint > $4::bigint
               RETURNING 1`,
              [name, streamName, next.toString(), expected.toString()],
            )
          : await driver.query(
              `INSERT INTO ${s}.checkpoints (subscription_name, stream_name, revision)
               VALUES ($1, $2, $3::bigint)
               ON CONFLICT (subscription_name) DO NOTHING RETURNING 1`,
              [name, streamName, next.toString()],
            );
      return rows.length === 1;
    },
  });

  const track = (start: (waker: Waker, onEnd: () => void) => Subscription): Subscription => {
    if (closed) throw new Error('the event store is closed');
    const waker = new Waker();
    wakeUps.wakers.add(waker);
    ensureListening();
    // onEnd runs asynchronously (after the loop's first await), once `subscription` is set.
    const onEnd = (): void => {
      wakeUps.wakers.delete(waker);
      subscriptions.delete(subscription);
    };
    const subscription = start(waker, onEnd);
    subscriptions.add(subscription);
    return subscription;
  };

  /** The subscription loop's settings: the caller's, else the store's defaults. */
  const loopSettings = (subscribeOptions: SubscribeOptions) => ({
    subscriptionName: subscribeOptions.subscriptionName,
    pollIntervalMs: subscribeOptions.pollIntervalMs ?? pollIntervalMs,
    batchSize: subscribeOptions.batchSize ?? 500,
    checkpointIntervalMs: subscribeOptions.checkpointIntervalMs ?? 0,
  });

  const subscribeToAll = (
    handler: EventHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Subscription =>
    track((waker, onEnd) =>
      runSubscription<Position>({
        source: {
          start: subscribeOptions.fromPosition ?? START,
          fetch: (after, max) => subscriptionPage(after, max),
          cursorOf: (e) => e.position,
        },
        handler,
        checkpoints:
          subscribeOptions.subscriptionName !== undefined
            ? allCheckpoints(subscribeOptions.subscriptionName)
            : undefined,
        ...loopSettings(subscribeOptions),
        waker,
        onEnd,
      }),
    );

  const subscribeToAllInBatches = (
    handler: BatchHandler,
    batchOptions: BatchSubscribeOptions,
  ): Subscription =>
    track((waker, onEnd) =>
      runSubscription<Position>({
        source: {
          start: batchOptions.fromPosition,
          fetch: (after, max) => subscriptionPage(after, max),
          cursorOf: (e) => e.position,
        },
        handler: { batch: handler },
        checkpoints: undefined,
        ...loopSettings({
          ...(batchOptions.batchSize === undefined ? {} : { batchSize: batchOptions.batchSize }),
          ...(batchOptions.pollIntervalMs === undefined
            ? {}
            : { pollIntervalMs: batchOptions.pollIntervalMs }),
        }),
        waker,
        onEnd,
      }),
    );

  const readHeadText = readHeadSql(schema);
  const readHead = async (): Promise<LogHead | undefined> => {
    const { rows } = await driver.query<{
      transaction_id: string;
      position: string;
      recorded_ms: string;
    }>(readHeadText);
    const row = rows[0];
    return row
      ? {
          position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
          recordedAt: new Date(Number(row.recorded_ms)),
        }
      : undefined;
  };

  const subscribeToStream = (
    streamName: string,
    handler: EventHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Subscription =>
    track((waker, onEnd) => {
      const after = subscribeOptions.fromPosition;
      return runSubscription<bigint>({
        source: {
          start: subscribeOptions.fromRevision ?? -1n,
          fetch: (cursor, max) =>
            readStream(streamName, { fromRevision: cursor + 1n, maxCount: max }),
          cursorOf: (e) => e.revision,
          ...(after && subscribeOptions.fromRevision === undefined
            ? {
                skip: (e: RecordedEvent) => comparePositions(e.position, after) <= 0,
              }
            : {}),
        },
        handler,
        checkpoints:
          subscribeOptions.subscriptionName !== undefined
            ? streamCheckpoints(subscribeOptions.subscriptionName, streamName)
            : undefined,
        ...loopSettings(subscribeOptions),
        waker,
        onEnd,
      });
    });

  // --- append ------------------------------------------------------------------------------
  const appender = createAppender(driver, schema, afterAppend, options.groupCommit);

  const copying = driver.copyOut === undefined ? undefined : { ...driver, copyOut: driver.copyOut };
  return {
    schema,
    ...(copying === undefined
      ? {}
      : {
          streamAllStored: (from?: Position) => copyAllStored(copying, schema, from),
          streamAllRows: (from?: Position) => copyAllRows(copying, schema, from),
        }),
    appendToStream: appender.appendToStream,
    groupCommitStats: appender.stats,
    readStream,
    readAll: (readOptions: ReadAllOptions = {}) =>
      readAllPage(driver, readOptions.fromPosition ?? START, readOptions.maxCount ?? 1000),
    readAllStored: async (readOptions: ReadAllOptions = {}) =>
      (
        await readAllRows(driver, readOptions.fromPosition ?? START, readOptions.maxCount ?? 1000)
      ).map((row) => ({
        id: row.event_id,
        type: row.event_type,
        streamName: row.stream_name,
        revision: BigInt(row.revision),
        position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
        body: row.body,
        recordedAt: new Date(Number(row.recorded_ms)),
        previousHash: row.previous_hash,
        hash: row.hash,
      })),
    subscribeToAll,
    subscribeToStream,
    subscribeToAllInBatches,
    readHead,
    verifyIntegrity: (verifyOptions = {}) => verifyIntegrity(driver, { ...verifyOptions, schema }),
    seal,
    close() {
      // Every call answers when the first one's work is done.
      closing ??= (async () => {
        closed = true;
        await appender.close();
        if (notifyTimer) clearTimeout(notifyTimer);
        await Promise.all([...subscriptions].map((sub) => sub.stop()));
        const stopListening = await unlisten;
        await stopListening?.();
      })();
      return closing;
    },
  };
}
