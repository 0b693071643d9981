/**
 * The sealer on real stores (PGlite in memory and the PostgreSQL server in a fresh schema):
 * it seals on its interval, and a failing seal is logged, counted in the metrics and turns
 * readiness off after three intervals, and on again once a seal succeeds.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStore } from './runtime.js';
import type { OpenedStore } from './runtime.js';
import { startSealer } from './sealer.js';
import type { Sealer } from './sealer.js';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const until = async (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe.each(['pglite', 'postgres'] as const)('the sealer on %s', (kind) => {
  let opened: OpenedStore | undefined;
  let sealer: Sealer | undefined;
  const schema = `sealer_${randomUUID().replace(/-/g, '')}`;

  afterEach(async () => {
    await sealer?.stop();
    await opened?.close();
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  const open = async () =>
    kind === 'postgres'
      ? openEventStore({ databaseUrl, dataDir: '' }, { schema })
      : openEventStore({ databaseUrl: undefined, dataDir: 'memory://' }, { schema });

  const seals = async (store: OpenedStore): Promise<number> =>
    Number(
      (
        await store.sql.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM "${store.store.schema}".seals`,
        )
      ).rows[0]?.n,
    );

  const metric = async (registry: Registry, outcome: string): Promise<number> =>
    (await registry.getSingleMetric('event_store_seal_runs_total')?.get())?.values.find(
      (v) => v.labels['outcome'] === outcome,
    )?.value ?? 0;

  it('seals what was appended on its interval, so the integrity check covers the tail', async () => {
    opened = await open();
    const stream = `article-${randomUUID()}`;
    await opened.store.appendToStream(stream, [{ id: randomUUID(), type: 'Noted.v1', data: {} }]);
    const registry = new Registry();
    sealer = startSealer({ store: opened.store, intervalMs: 30, registry, log: () => undefined });
    const store = opened;
    await until(async () => (await seals(store)) === 1);
    await opened.store.appendToStream(stream, [{ id: randomUUID(), type: 'Noted.v1', data: {} }]);
    await until(async () => (await seals(store)) === 2);
    expect(await metric(registry, 'sealed')).toBeGreaterThanOrEqual(2);
    await sealer.readiness.check();
    expect(await opened.store.verifyIntegrity()).toMatchObject({ ok: true, unsealedEvents: 0 });
  });

  it('a failing seal is logged and counted, and readiness fails after three intervals', async () => {
    opened = await open();
    const s = `"${opened.store.schema}"`;
    // The seal function breaks (as a dropped permission or a full disk would make it fail).
    await opened.sql.query(`ALTER FUNCTION ${s}.seal(integer) RENAME TO seal_broken`);
    const logged: Record<string, unknown>[] = [];
    const registry = new Registry();
    let now = 1_000_000;
    sealer = startSealer({
      store: opened.store,
      intervalMs: 20,
      registry,
      log: (line) => logged.push(line),
      clock: () => now,
    });
    await until(async () => (await metric(registry, 'failed')) >= 2);
    expect(logged[0]).toMatchObject({ level: 'error', msg: 'sealing the event store failed' });
    await sealer.readiness.check(); // not yet three intervals by its clock
    now += 61;
    await expect(sealer.readiness.check()).rejects.toThrow(/no successful seal for .*last error/);

    await opened.sql.query(`ALTER FUNCTION ${s}.seal_broken(integer) RENAME TO seal`);
    // The interval keeps attempting: the first sealNow may join an attempt that began before the
    // repair (and fails); the one after it starts once the function is back.
    await sealer.sealNow();
    await sealer.sealNow();
    await sealer.readiness.check();
    expect(await metric(registry, 'empty')).toBeGreaterThanOrEqual(1);
  });

  it('seals a backlog in steps of at most maxEventsPerSeal events, until nothing is left', async () => {
    opened = await open();
    const stream = `article-${randomUUID()}`;
    await opened.store.appendToStream(
      stream,
      Array.from({ length: 7 }, () => ({ id: randomUUID(), type: 'Noted.v1', data: {} })),
    );
    const registry = new Registry();
    sealer = startSealer({
      store: opened.store,
      intervalMs: 60_000,
      registry,
      log: () => undefined,
      maxEventsPerSeal: 3,
    });
    // On the server another test's open transaction can hold the sealable horizon back for a
    // moment: seal again until everything is sealed.
    const store = opened;
    await until(async () => {
      await sealer?.sealNow();
      const report = await store.store.verifyIntegrity();
      return report.ok && report.unsealedEvents === 0;
    });
    const counts = (
      await store.sql.query<{ n: string }>(
        `SELECT event_count::text AS n FROM "${store.store.schema}".seals AS seal ORDER BY seal.seal_number`,
      )
    ).rows.map((r) => Number(r.n));
    const covered = counts.map((n, i) => n - (counts[i - 1] ?? 0));
    expect(
      covered.every((n) => n >= 1 && n <= 3),
      `events per seal: ${covered}`,
    ).toBe(true);
    expect(counts.at(-1)).toBe(7);
  });

  it('steady writes while it seals make one seal per interval, not one per step', async () => {
    opened = await open();
    const store = opened.store;
    const stream = `article-${randomUUID()}`;
    // The real store, with an event written just before each of its seals (writes meanwhile).
    const busy = {
      seal: async (o?: { readonly maxEvents?: number }) => {
        await store.appendToStream(stream, [{ id: randomUUID(), type: 'Noted.v1', data: {} }]);
        return store.seal(o);
      },
    };
    sealer = startSealer({
      store: busy,
      intervalMs: 60_000,
      registry: new Registry(),
      log: () => undefined,
      maxEventsPerSeal: 3,
    });
    // Until a seal lands (another test's open transaction can hold the horizon back), then twice
    // more: its first step cannot know how full it was and takes one more; then one per call.
    // Stepping on while writes come would make thousands.
    const store2 = opened;
    let calls = 0;
    await until(async () => {
      calls++;
      await sealer?.sealNow();
      return (await seals(store2)) > 0;
    });
    await sealer.sealNow();
    await sealer.sealNow();
    const made = await seals(opened);
    expect(made).toBeGreaterThanOrEqual(1);
    expect(made).toBeLessThanOrEqual(calls + 2 + 1);
  });
});
