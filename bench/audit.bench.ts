/**
 * The audit at scale, on real PostgreSQL (DATABASE_URL): a store of EVENTS events (default
 * 1,000,000 real article events in 10,000 streams, appended 100 at a time; kept in the schema
 * `bench_audit_<EVENTS>` and reused by the next run unless FRESH=1), then
 * - the tree: the audit's Merkle tree grown over the whole log, and a tree head signed;
 * - verify: the whole store (every hash, chain and tree head), events/s;
 * - export: the NDJSON lines from the log's start written to a file, events/s; and the
 *   offline verification of that file (as `newsroom audit verify-export` reads it), events/s;
 * - proofs at that size: inclusion (a random event, the full tree) and consistency (a random
 *   older size), each with its queries, p50 / p99 / max over PROOFS (default 200) of each,
 *   cold (right after the export's file pushed the tree out of the page cache) and warm.
 * Goals: verify and export at least 200,000 events/s; each proof under 50 ms. Prints JSON.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  createPostgresEventStore,
  pgDriver,
  quoteIdent,
  verifierKey,
} from '../packages/event-store/src/index.js';
import { initProcessor, storedArticleEvent } from '../packages/processing/src/index.js';
import { exportChunks } from '../services/audit/src/export/lines-of-log.js';
import { verifyExport } from '../services/audit/src/export/verify-export.js';
import { storedConsistency, storedInclusion } from '../services/audit/src/tree/proofs.js';
import { catchUpTree, logSigner, sealTreeHead } from '../services/audit/src/tree/seal.js';
import { treeSealer } from '../services/audit/src/tree/sealer.js';
import { treeSize } from '../services/audit/src/tree/sql/tree.js';
import { verifyStore } from '../services/audit/src/verify/store.js';
import { percentile, round } from './timing.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const PROOFS = Number(process.env.PROOFS ?? 200);
const STREAMS = 10_000;
const BATCH = 100;

const rate = (events: number, ms: number) => ({
  seconds: round(ms / 1000, 2),
  eventsPerSecond: Math.round((events * 1000) / ms),
});

const main = async () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
  const sql = pgDriver(pool);
  const schema = `bench_audit_${EVENTS}`;
  if (process.env.FRESH === '1') {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_audit`)} CASCADE`);
  }
  const store = await createPostgresEventStore({ driver: sql, schema });
  const result: Record<string, unknown> = {
    bench: 'audit',
    events: EVENTS,
    machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) },
  };
  try {
    // 1. The store: appended 100 events at a time, four writers, until it holds EVENTS.
    const have = Number(
      (await pool.query(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.events`)).rows[0].n,
    );
    const streams = Array.from({ length: STREAMS }, () => randomUUID());
    const fillStart = performance.now();
    let next = have;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < EVENTS) {
          const n = next;
          next += BATCH;
          const id = streams[(n / BATCH) % STREAMS]!;
          await store.appendToStream(
            `article-${id}`,
            Array.from({ length: Math.min(BATCH, EVENTS - n) }, (_, k) =>
              storedArticleEvent(id, n + k),
            ),
          );
        }
      }),
    );
    result['fill'] =
      EVENTS > have
        ? { appended: EVENTS - have, ...rate(EVENTS - have, performance.now() - fillStart) }
        : { appended: 0, reused: schema };

    // 2. The tree over the whole log, and a signed head.
    const key = generateKeyPairSync('ed25519');
    const origin = 'newsroom.bench/audit';
    const signer = logSigner(origin, key.privateKey);
    const auditSchema = `${schema}_audit`;
    const processor = treeSealer({
      schema: auditSchema,
      sql,
      store,
      signer,
      sealIntervalMs: 60_000,
      treePollMs: 1_000,
    }).processor;
    await initProcessor(sql, processor);
    const s = quoteIdent(auditSchema);
    const before = await treeSize(sql, s);
    const growStart = performance.now();
    const grown = await catchUpTree(sql, s, store);
    result['tree'] = {
      grown,
      ...(grown > 0 ? rate(grown, performance.now() - growStart) : {}),
      size: before + grown,
    };
    // A key of this run: the heads signed with an earlier run's key are another log's.
    await pool.query(`ALTER TABLE ${s}.tree_heads DISABLE TRIGGER USER`);
    await pool.query(`DELETE FROM ${s}.tree_heads`);
    await pool.query(`ALTER TABLE ${s}.tree_heads ENABLE TRIGGER USER`);
    const head = await sealTreeHead(sql, s, store, signer, { force: true, now: Date.now });
    const size = head!.treeSize;

    // 3. Verify the whole store.
    const log = { origin, publicKey: key.publicKey };
    const verifyStart = performance.now();
    const report = await verifyStore(store, sql, s, log);
    result['verify'] = { ok: report.ok, ...rate(report.events, performance.now() - verifyStart) };

    // 4. Export from the start to a file, as a client would keep it; then its offline
    //    verification from that file, as `newsroom audit verify-export` reads it.
    const source = {
      store,
      db: sql,
      schema: s,
      origin,
      verifierKey: verifierKey(origin, key.publicKey),
      now: () => new Date(),
    };
    const file = join(mkdtempSync(join(tmpdir(), 'bench-audit-')), 'export.ndjson');
    const out = createWriteStream(file);
    let [bytes, count] = [0, 0];
    const exportStart = performance.now();
    let last: string | Buffer = '';
    for await (const chunk of exportChunks(source, undefined)) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      last = chunk;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    // The lines, from the end line's counts (the header and the end line besides).
    const end = JSON.parse(last.toString().trimEnd().split('\n').pop()!);
    count = end.events + end.treeHeads + 2;
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    result['export'] = {
      lines: count,
      megabytes: round(bytes / 2 ** 20, 1),
      ...rate(size, performance.now() - exportStart),
    };
    const offlineStart = performance.now();
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    const offline = await verifyExport(lines, { name: origin, publicKey: key.publicKey });
    result['verifyExport'] = {
      ok: offline.ok,
      ...rate(offline.events, performance.now() - offlineStart),
    };
    rmSync(file, { force: true });

    // 5. Proofs at this size.
    const ids = (
      await pool.query<{ event_id: string; leaf_index: string }>(
        `SELECT event_id::text, leaf_index::text FROM ${s}.tree_leaves TABLESAMPLE SYSTEM (1) LIMIT $1`,
        [PROOFS],
      )
    ).rows;
    const summary = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return {
        n: sorted.length,
        p50Ms: round(percentile(sorted, 0.5), 2),
        p99Ms: round(percentile(sorted, 0.99), 2),
        maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
      };
    };
    const proofs = async () => {
      const inclusion: number[] = [];
      for (const row of ids) {
        const t = performance.now();
        const { rows } = await pool.query(
          `SELECT leaf_index FROM ${s}.tree_leaves WHERE event_id = $1`,
          [row.event_id],
        );
        await storedInclusion(sql, s, Number(rows[0].leaf_index), size);
        inclusion.push(performance.now() - t);
      }
      const consistency: number[] = [];
      for (let i = 0; i < PROOFS; i++) {
        const from = 1 + Math.floor(Math.random() * (size - 1));
        const t = performance.now();
        await storedConsistency(sql, s, from, size);
        consistency.push(performance.now() - t);
      }
      return { inclusion: summary(inclusion), consistency: summary(consistency) };
    };
    // Right after the export (whose file pushed the tree's pages out of the page cache), then
    // again with them read back in, as a running service has them.
    const cold = await proofs();
    const warm = await proofs();
    result['inclusionProof'] = { cold: cold.inclusion, warm: warm.inclusion };
    result['consistencyProof'] = { cold: cold.consistency, warm: warm.consistency };
    const v = result['verify'] as { eventsPerSecond: number };
    const e = result['export'] as { eventsPerSecond: number };
    result['goals'] = {
      verifyAtLeast200k: v.eventsPerSecond >= 200_000,
      exportAtLeast200k: e.eventsPerSecond >= 200_000,
      proofsUnder50msWarm: warm.inclusion.maxMs < 50 && warm.consistency.maxMs < 50,
      proofsUnder50msCold: cold.inclusion.maxMs < 50 && cold.consistency.maxMs < 50,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await store.close();
    await pool.end();
  }
};

await main();
