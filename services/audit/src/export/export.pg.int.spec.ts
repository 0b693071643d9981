/**
 * The export on PostgreSQL streams the log in one binary COPY and writes each body's bytes as
 * they came; on PGlite it reads pages of stored events and writes text. Both must give the
 * same export, byte for byte (bodies with Vietnamese, quotes, backslashes and control
 * characters; heads in between; from the start and from a position), and it verifies offline.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore, pgDriver, quoteIdent, verifierKey } from '@newsroom/event-store';
import type { Position, PostgresEventStore } from '@newsroom/event-store';
import { initProcessor } from '@newsroom/processing';
import { logSigner, sealTreeHead } from '../tree/seal.js';
import { treeSealer } from '../tree/sealer.js';
import { exportChunks } from './lines-of-log.js';
import type { ExportSource } from './lines-of-log.js';
import { verifyExport } from './verify-export.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const origin = 'newsroom.test/export-paths';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = logSigner(origin, privateKey);

describe('the export, streamed and paged (PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  const sql = pgDriver(pool);
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const [storeSchema, auditSchema] = [`export_paths_${id}`, `export_paths_${id}_audit`];
  const tables = quoteIdent(auditSchema);
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = await createPostgresEventStore({ driver: sql, schema: storeSchema });
    await initProcessor(
      sql,
      treeSealer({ schema: auditSchema, sql, store, signer, sealIntervalMs: 1e9, treePollMs: 1e9 })
        .processor,
    );
    const texts = [
      'Hải Phòng phải đi đầu',
      'a "quote", a \\ and a /',
      'tab\tnew\nline\u0001',
      '€𝄞',
    ];
    for (let i = 0; i < 900; i++) {
      await store.appendToStream(`article-${i % 11}`, [
        { id: randomUUID(), type: 'DraftRevised.v1', data: { i, text: texts[i % 4] } },
      ]);
      if (i % 250 === 249) {
        // A head covers what the gap-free read holds, which another test file's open
        // transaction may hold back for a while: wait for this one's events first.
        await readable(i + 1);
        const head = await sealTreeHead(sql, tables, store, signer, {
          force: false,
          now: Date.now,
        });
        expect(head?.treeSize).toBe(i + 1);
      }
    }
  });
  const readable = async (count: number) => {
    for (const deadline = Date.now() + 30_000; ;) {
      if ((await store.readAllStored({ maxCount: count })).length >= count) return;
      if (Date.now() > deadline) throw new Error(`the log never held ${count} readable events`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  afterAll(async () => {
    await store?.close();
    for (const s of [storeSchema, auditSchema])
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
    await pool.end();
  });

  const exported = async (streamed: boolean, from?: Position) => {
    expect(store.streamAllRows).toBeDefined();
    const source: ExportSource = {
      store: streamed ? store : { readAllStored: store.readAllStored },
      db: sql,
      schema: tables,
      origin,
      verifierKey: verifierKey(origin, publicKey),
      now: () => new Date(Date.UTC(2026, 3, 8, 14)),
    };
    const parts: Buffer[] = [];
    for await (const chunk of exportChunks(source, from, 128)) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts).toString('utf8');
  };
  const check = async (text: string) => {
    async function* lines() {
      yield* text.split('\n');
    }
    return verifyExport(lines(), { name: origin, publicKey });
  };

  it('is the same export, byte for byte, either way, and it verifies', async () => {
    const streamed = await exported(true);
    expect(streamed).toBe(await exported(false));
    expect(await check(streamed)).toMatchObject({ ok: true, events: 900, treeHeads: 3 });
  });

  it('is the same from a position, and verifies from its anchor', async () => {
    const event = (await store.readAllStored({ maxCount: 400 }))[300]!;
    const streamed = await exported(true, event.position);
    expect(streamed).toBe(await exported(false, event.position));
    expect(await check(streamed)).toMatchObject({ ok: true, events: 599 });
  });
});
