/**
 * The log streamed in one binary COPY (PostgreSQL) is readAllStored's log: the same events,
 * order and values (ids, positions, revisions, times to the millisecond, hashes and each
 * body's exact text, Vietnamese, quotes, backslashes and control characters included), from
 * the start and from a position; and a reader that stops early leaves the pool usable.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAllRows } from './copy-log.js';
import { pgDriver, quoteIdent } from './driver.js';
import type { PostgresEventStore, StoredEvent } from './postgres-event-store.js';
import { createPostgresEventStore } from './postgres-event-store.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('the log in one binary COPY (PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const schema = `copy_log_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = await createPostgresEventStore({ driver: pgDriver(pool), schema });
    const texts = [
      'Hải Phòng phải đi đầu',
      'a "quote" and a \\ backslash',
      'tab\there\nline\u0001',
      '€𝄞',
    ];
    for (let i = 0; i < 1_200; i++) {
      const stream = `article-${i % 7}-${randomUUID()}`;
      await store.appendToStream(
        i % 3 === 0 ? stream : `article-${i % 5}`,
        [{ id: randomUUID(), type: 'DraftRevised.v1', data: { i, text: texts[i % texts.length] } }],
        {},
      );
    }
    // The gap-free read holds back what commits after the oldest transaction still running on
    // the server, which another test file may keep open for a while: wait until all is readable.
    for (const deadline = Date.now() + 30_000; (await paged()).length < 1_200;) {
      if (Date.now() > deadline) throw new Error('the 1,200 events never became readable');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await store?.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await pool.end();
  });

  const paged = async (from?: StoredEvent['position']) => {
    const all: StoredEvent[] = [];
    for (let after = from; ;) {
      const page = await store.readAllStored({
        ...(after === undefined ? {} : { fromPosition: after }),
        maxCount: 500,
      });
      all.push(...page);
      if (page.length < 500) return all;
      after = page[page.length - 1]!.position;
    }
  };
  const copied = async (from?: StoredEvent['position']) => {
    const all: StoredEvent[] = [];
    for await (const batch of store.streamAllStored!(from)) all.push(...batch);
    return all;
  };

  it('gives readAllStored’s events, value for value, from the start and from a position', async () => {
    const expected = await paged();
    expect(expected).toHaveLength(1_200);
    expect(await copied()).toEqual(expected);
    const from = expected[700]!.position;
    expect(await copied(from)).toEqual(expected.slice(701));
  });

  it('reads segment after segment (12 of 100 rows), each from where the last one ended', async () => {
    const expected = await paged();
    const driver = pgDriver(pool);
    const copying = { ...driver, copyOut: driver.copyOut! };
    const positions: string[] = [];
    for await (const rows of copyAllRows(copying, schema, undefined, 100)) {
      for (const row of rows) {
        positions.push(`${row[0]!.readBigUInt64BE(0)}.${row[1]!.readBigInt64BE(0)}`);
      }
    }
    expect(positions).toEqual(
      expected.map((e) => `${e.position.transactionId}.${e.position.sequence}`),
    );
  });

  it('leaves the pool usable when its reader stops early', async () => {
    for (let i = 0; i < 6; i++) {
      for await (const batch of store.streamAllStored!()) {
        expect(batch.length).toBeGreaterThan(0);
        break;
      }
    }
    const { rows } = await pool.query<{ n: number }>('SELECT 1 AS n');
    expect(rows[0]!.n).toBe(1);
    expect((await copied()).length).toBe(1_200);
  });
});
