/**
 * One active instance per processor name. On a PostgreSQL server: a session-level advisory
 * lock held on a connection of its own (it ends with that connection: a killed process frees
 * it at once), tried again every `pollMs` by a standby, and checked by a heartbeat. With one
 * connection in all (PGlite, which only one process can open), an in-process lock.
 */
import type { SqlDriver } from '@newsroom/event-store';

export interface HeldLock {
  /** Resolves (never rejects) when the lock is lost: the connection broke. */
  readonly lost: Promise<unknown>;
  readonly release: () => Promise<void>;
}

export interface LockOptions {
  readonly pollMs: number;
  /** How often the holder checks its connection. */
  readonly heartbeatMs: number;
  /** Resolves when the caller gives up waiting (stopping). */
  readonly abandon: Promise<void>;
  /** Called each time the lock was found held by another instance (the database answered). */
  readonly onBusy?: () => void;
  /** Called each time trying for the lock failed (the database did not answer). */
  readonly onError?: (error: unknown) => void;
}

/** `name` is `<schema>.<processor>`: several deployments (or tests) may share a server. */
const key = (name: string): string => `processing:processor:${name}`;

/** In-process holders by database (PGlite instance) and name. */
const localHolders = new WeakMap<object, Map<string, Promise<void>>>();

const acquireLocal = async (
  target: object,
  name: string,
  abandon: Promise<void>,
  onBusy: (() => void) | undefined,
): Promise<HeldLock | undefined> => {
  let byName = localHolders.get(target);
  if (!byName) localHolders.set(target, (byName = new Map()));
  for (;;) {
    const held = byName.get(name);
    if (held === undefined) break;
    onBusy?.();
    const given = await Promise.race([held.then(() => false), abandon.then(() => true)]);
    if (given) return undefined;
  }
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  byName.set(name, released);
  const holders = byName;
  return {
    lost: new Promise(() => undefined), // one process, one connection: never lost
    release: async () => {
      if (holders.get(name) === released) holders.delete(name);
      release();
    },
  };
};

/** Waits for the lock (a standby meanwhile); undefined when abandoned first. One connection
 *  is kept while waiting (a broken one is replaced), not one per try. */
export const acquireLock = async (
  sql: SqlDriver,
  name: string,
  options: LockOptions,
): Promise<HeldLock | undefined> => {
  if (!sql.session) return acquireLocal(sql.target, name, options.abandon, options.onBusy);
  let abandoned = false;
  void options.abandon.then(() => (abandoned = true));
  let session: Awaited<ReturnType<NonNullable<SqlDriver['session']>>> | undefined;
  try {
    while (!abandoned) {
      try {
        session ??= await sql.session();
        const { rows } = await session.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
          [key(name)],
        );
        if (rows[0]?.locked === true) {
          const held = holdLock(session, options.heartbeatMs);
          session = undefined; // the holder owns it now
          if (!abandoned) return held;
          await held.release(); // stopped meanwhile: not taken after all
          return undefined;
        }
        options.onBusy?.();
      } catch (error) {
        // The connection broke (or none could be had): try again with a new one.
        options.onError?.(error);
        await session?.release().catch(() => undefined);
        session = undefined;
      }
      await Promise.race([new Promise((r) => setTimeout(r, options.pollMs)), options.abandon]);
    }
    return undefined;
  } finally {
    await session?.release().catch(() => undefined);
  }
};

const holdLock = (
  session: NonNullable<Awaited<ReturnType<NonNullable<SqlDriver['session']>>>>,
  heartbeatMs: number,
): HeldLock => {
  let markLost!: (error: unknown) => void;
  const lost = new Promise<unknown>((resolve) => (markLost = resolve));
  session.onLost(markLost);
  const heartbeat = setInterval(() => {
    session.query('SELECT 1').catch(markLost);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    lost,
    release: async () => {
      clearInterval(heartbeat);
      await session.release(); // closes the connection: the lock goes with it
    },
  };
};
