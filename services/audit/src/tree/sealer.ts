/**
 * The audit service's sealer, a processor that only ticks (one active instance, its lock):
 * every `treePollMs` it grows the tree by the events the log holds past it, and every
 * `sealIntervalMs` after the latest head (kept across restarts: the latest head's time), when
 * the tree grew, it signs a tree head. `sealNow` signs one on demand, from any instance (the
 * tree row's lock makes them take turns). A failed seal is logged, counted in
 * `audit_seal_runs_total{outcome="failed"}` and makes `/readyz` report degraded until a seal
 * succeeds again; so does a failed growth (`audit_tree_growth_failures_total`).
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { ack } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';
import type { ReadinessCheck } from '@newsroom/service-kit';
import { TREE_MIGRATIONS } from './sql/migrations.js';
import { catchUpTree, sealTreeHead } from './seal.js';
import type { LogSigner } from './seal.js';
import { latestHead } from './sql/heads.js';
import type { TreeHeadRow } from './sql/heads.js';

export const TREE_SEALER = 'audit.tree';

export interface SealerOptions {
  /** The audit schema, unquoted. */
  readonly schema: string;
  readonly sql: SqlDriver;
  readonly store: Pick<PostgresEventStore, 'readAllStored'>;
  readonly signer: LogSigner;
  readonly sealIntervalMs: number;
  readonly treePollMs: number;
  readonly registry?: Registry;
  readonly now?: () => number;
  readonly log?: (line: Record<string, unknown>) => void;
}

export interface TreeSealer {
  readonly processor: Processor;
  readonly sealNow: () => Promise<TreeHeadRow>;
  readonly readiness: ReadinessCheck;
}

export const treeSealer = (options: SealerOptions): TreeSealer => {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line) => console.error(JSON.stringify(line)));
  const registers = options.registry === undefined ? [] : [options.registry];
  const runs = new Counter({
    name: 'audit_seal_runs_total',
    help: 'Tree head seals by outcome: sealed, unchanged (the tree did not grow), failed',
    labelNames: ['outcome', 'trigger'] as const,
    registers,
  });
  const lastSealed = new Gauge({
    name: 'audit_tree_head_last_sealed_timestamp_seconds',
    help: 'When this process last signed a tree head (or found the tree unchanged)',
    registers,
  });
  const size = new Gauge({
    name: 'audit_tree_head_size',
    help: 'The tree size of the last tree head this process signed',
    registers,
  });
  const growthFailures = new Counter({
    name: 'audit_tree_growth_failures_total',
    help: 'Growth steps of the stored tree that failed (the tree stays where it was)',
    registers,
  });
  const table = quoteIdent(options.schema);
  let lastError: string | undefined;
  let growthError: string | undefined;
  /** When the interval last began: the latest head's time, read at the first tick (with no
   *  head yet, this process's first tick: a log's first head comes one interval after it). */
  let lastAttempt: number | undefined;
  const intervalStart = async (): Promise<number> => {
    const head = await latestHead(options.sql, table);
    return head === undefined ? now() : Date.parse(head.time);
  };
  const grow = async (): Promise<void> => {
    try {
      await catchUpTree(options.sql, table, options.store);
      growthError = undefined;
    } catch (error) {
      growthFailures.inc();
      growthError = String((error as Error)?.message ?? error);
      log({ level: 'error', msg: 'growing the tree failed', error: growthError });
    }
  };

  const seal = async (force: boolean): Promise<TreeHeadRow | undefined> => {
    const trigger = force ? 'demand' : 'interval';
    try {
      const head = await sealTreeHead(options.sql, table, options.store, options.signer, {
        force,
        now,
      });
      runs.inc({ outcome: head === undefined ? 'unchanged' : 'sealed', trigger });
      lastSealed.set(now() / 1000);
      if (head !== undefined) size.set(head.treeSize);
      [lastError, growthError] = [undefined, undefined]; // the seal grew the tree first
      return head;
    } catch (error) {
      runs.inc({ outcome: 'failed', trigger });
      lastError = String((error as Error)?.message ?? error);
      log({ level: 'error', msg: 'sealing a tree head failed', error: lastError });
      throw error;
    }
  };

  const processor: Processor = {
    name: TREE_SEALER,
    version: 1,
    schema: options.schema,
    canHandle: () => false, // it reads the log's hashes itself: every event, of any stream
    source: 'store',
    migrations: TREE_MIGRATIONS,
    handle: async () => ack,
    truncate: async () => undefined, // the tree is the log's; nothing of it is rebuilt
    tick: {
      intervalMs: options.treePollMs,
      run: async () => {
        lastAttempt ??= await intervalStart();
        if (now() - lastAttempt < options.sealIntervalMs) return grow();
        lastAttempt = now();
        await seal(false).catch(() => undefined); // logged and counted in seal
      },
    },
  };

  return {
    processor,
    sealNow: async () => (await seal(true))!,
    readiness: {
      name: 'audit-seal',
      degradesOnly: true,
      check: async () => {
        if (lastError !== undefined) throw new Error(`the last seal failed: ${lastError}`);
        if (growthError !== undefined) throw new Error(`growing the tree failed: ${growthError}`);
      },
    },
  };
};
