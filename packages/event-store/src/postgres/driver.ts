/**
 * The tiny driver interface the PostgreSQL event store runs on, and its two implementations:
 * node-postgres (a Pool or a single Client) and PGlite (an instance or one of its transactions).
 * The store sends the same SQL through either; every value it reads back is cast to text in
 * SQL, so no driver-specific type parsing matters.
 */
import type { PGliteInterface, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { Client, Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

export interface QueryOptions {
  /** Name of a server-side prepared statement (node-postgres); PGlite ignores it. */
  readonly name?: string;
}

export interface SqlQueryable {
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<{ rows: R[] }>;
}

/** One connection of its own, for session state such as an advisory lock. */
export interface SqlSession extends SqlQueryable {
  /** Called once if the connection breaks (the server ended it, the network failed). */
  onLost(listener: (error: unknown) => void): void;
  /** Gives the connection back (closing it, so that its session state ends with it). */
  release(): Promise<void>;
}

export interface SqlDriver extends SqlQueryable {
  /** Runs `fn` inside BEGIN ... COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel on a connection of its own; resolves to an unlisten function.
   * Absent when the driver cannot hold a listening connection.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** The object behind the driver (Pool, Client, PGlite): stores on the same one share wake-ups. */
  readonly target: object;
  /**
   * A connection of its own, held until released. Absent when the driver has one connection
   * in all (PGlite, a single Client): there, session state is shared by every caller.
   */
  session?(): Promise<SqlSession>;
  /**
   * Runs a `COPY ... TO STDOUT` on a connection of its own, in a read-only transaction after
   * the given `SET LOCAL` settings, and streams what it sends. At most two COPYs hold a pooled
   * connection at once (the others wait without one). Absent on PGlite. Stopping early ends
   * the connection (a COPY cannot be left half read on a pooled one).
   */
  copyOut?(copy: string, settings?: readonly string[]): AsyncGenerator<Buffer>;
}

/** An error from either driver: both carry the SQLSTATE in `code`. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function isPool(x: Pool | Client | PoolClient): x is Pool {
  return typeof (x as Pool).connect === 'function' && 'totalCount' in x;
}

/** COPYs that may hold a pooled connection at once: the others wait without one. */
const MAX_COPIES = 2;

/** At most `n` holders at once; the others wait their turn, in order. */
const slots = (n: number) => {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire: async (): Promise<void> => {
      if (held < n) {
        held++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: (): void => {
      const next = waiting.shift();
      if (next === undefined) held--;
      else next(); // the slot passes straight to the next in line
    },
  };
};

/**
 * node-postgres. With a Pool, each query may use another connection, transactions take one
 * connection for their duration and `listen` holds one more. With a Client, everything goes
 * through that one connection (useful to run the store inside a transaction you opened).
 */
export function pgDriver(db: Pool | Client | PoolClient): SqlDriver {
  const queryOn = async <R>(
    q: Pool | Client | PoolClient,
    text: string,
    params: readonly unknown[] | undefined,
    options: QueryOptions | undefined,
  ): Promise<{ rows: R[] }> => {
    const values = params ? [...params] : [];
    const result = options?.name
      ? await q.query({ name: options.name, text, values })
      : await q.query(text, values);
    return { rows: result.rows as R[] };
  };
  const on = (q: Pool | Client | PoolClient): SqlQueryable => ({
    query: (text, params, options) => queryOn(q, text, params, options),
  });

  const driver: SqlDriver = {
    target: db,
    query: (text, params, options) => queryOn(db, text, params, options),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = isPool(db) ? await db.connect() : db;
      let broken = false;
      // A connection the server ends while this transaction waits between queries emits
      // 'error' on the client: without a listener that would end the process. The query in
      // flight (or the next one) rejects instead, and the transaction rolls back.
      const onError = () => {
        broken = true;
      };
      if (isPool(db)) client.on('error', onError);
      try {
        await client.query('BEGIN');
        try {
          const result = await fn(on(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        }
      } finally {
        if (isPool(db)) {
          client.off('error', onError);
          (client as PoolClient).release(broken);
        }
      }
    },
  };
  if (!isPool(db)) return driver;
  const copies = slots(MAX_COPIES);
  return {
    ...driver,
    async *copyOut(copy, settings = []) {
      await copies.acquire();
      const client = await db.connect().catch((error: unknown) => {
        copies.release();
        throw error;
      });
      let finished = false;
      const onError = () => undefined; // the stream below rejects instead
      client.on('error', onError);
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY');
        for (const setting of settings) await client.query(`SET LOCAL ${setting}`);
        // A deep buffer lets the server run ahead while the reader works on what came.
        yield* client.query(copyTo(copy, { highWaterMark: 256 << 10 })) as AsyncIterable<Buffer>;
        await client.query('COMMIT');
        finished = true;
      } finally {
        client.off('error', onError);
        client.release(!finished);
        copies.release();
      }
    },
    async session() {
      const client = await db.connect();
      // A session held for long (a lock) must notice a server that went away without closing
      // the connection: keepalives on both sides, so the lock frees within seconds, not hours.
      await client
        .query(
          'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3',
        )
        .catch(() => undefined);
      let lost: unknown;
      const listeners: ((error: unknown) => void)[] = [];
      const fail = (error: unknown) => {
        if (lost !== undefined) return;
        lost = error ?? new Error('the connection ended');
        for (const listener of listeners.splice(0)) listener(lost);
      };
      const onError = (error: unknown) => fail(error);
      const onEnd = () => fail(new Error('the connection ended'));
      client.on('error', onError);
      client.on('end', onEnd);
      return {
        query: (text, params, options) => queryOn(client, text, params, options),
        onLost(listener) {
          if (lost !== undefined) listener(lost);
          else listeners.push(listener);
        },
        async release() {
          listeners.length = 0;
          client.off('end', onEnd);
          // Destroyed, not pooled: whatever the session held (a lock) ends with it.
          client.release(true);
          client.off('error', onError);
        },
      };
    },
    async listen(channel, onNotify) {
      const client = await db.connect();
      const handler = (msg: { channel: string }) => {
        if (msg.channel === channel) onNotify();
      };
      const onError = () => undefined; // the subscription keeps polling without wake-ups
      client.on('notification', handler);
      client.on('error', onError);
      try {
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        client.off('notification', handler);
        client.release(true);
        throw error;
      }
      return async () => {
        client.off('notification', handler);
        let broken = false;
        await client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {
          broken = true;
        });
        client.off('error', onError);
        client.release(broken);
      };
    },
  };
}

/**
 * PGlite (one connection in the process; its own mutex serialises queries and transactions).
 * Pass the instance, or the `tx` PGlite hands to `db.transaction` to run the store inside it.
 * The caller keeps ownership: close the PGlite instance yourself after the store.
 */
export function pgliteDriver(db: PGliteInterface | PGliteTransaction): SqlDriver {
  const query = async <R>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> => {
    const result = await db.query<R>(text, params ? [...params] : []);
    return { rows: result.rows };
  };
  const isInstance = 'transaction' in db && typeof db.transaction === 'function';
  // No `listen`: PGlite lives in this process, where stores on the same instance wake each
  // other directly, so a NOTIFY (a transaction of its own) would only cost time.
  return {
    target: db,
    query,
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      if (!isInstance) return fn({ query }); // already inside a PGlite transaction
      return (db as PGliteInterface).transaction((tx) =>
        fn({
          query: async <R>(text: string, params?: readonly unknown[]) => ({
            rows: (await tx.query<R>(text, params ? [...params] : [])).rows,
          }),
        }),
      );
    },
  };
}

/** Double-quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
