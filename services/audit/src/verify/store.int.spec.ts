/**
 * The whole-store verify and the export read tree heads a page at a time, on PGlite: with
 * pages of one head (and of two events) every head is checked once, in order, and the export
 * verifies; and a head signed while a verify runs, over events appended after its last page
 * was read, is not mistaken for a head over events that were removed (the heads are those
 * signed before the log is read).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifierKey } from '@newsroom/event-store';
import type { LogObserver, PostgresEventStore } from '@newsroom/event-store';
import { exportChunks } from '../export/lines-of-log.js';
import { verifyExport } from '../export/verify-export.js';
import { logSigner, sealTreeHead } from '../tree/seal.js';
import { useAuditOnPglite } from '../tree/pglite-fixture.js';
import { verifyStore } from './store.js';

const origin = 'newsroom.test/verify-pages';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = logSigner(origin, privateKey);
const log = { origin, publicKey };

describe('tree heads read a page at a time (PGlite)', () => {
  const f = useAuditOnPglite('pages', signer);
  const append = (count: number) => f.append(count);
  const seal = () =>
    sealTreeHead(f.sql, f.tables, f.store, signer, { force: false, now: Date.now });

  it('checks every head once, in order, a head a page; and the export verifies', async () => {
    const { sql, store, tables } = f;
    for (let i = 0; i < 5; i++) {
      await append(3);
      await seal();
    }
    await append(1); // past the last head
    const report = await verifyStore(store, sql, tables, log, 1);
    expect(report).toMatchObject({ ok: true, events: 16, treeHeads: 5 });

    const source = {
      store,
      db: sql,
      schema: tables,
      origin,
      verifierKey: verifierKey(origin, publicKey),
      now: () => new Date(),
    };
    let text = '';
    for await (const chunk of exportChunks(source, undefined, 2, 1)) text += chunk.toString();
    const lines = text.trimEnd().split('\n');
    const heads = lines.map((l) => JSON.parse(l)).filter((l) => l.kind === 'tree-head');
    expect(heads.map((h) => h.head.number)).toEqual([1, 2, 3, 4, 5]);
    async function* each() {
      yield* lines;
    }
    expect(await verifyExport(each(), { name: origin, publicKey })).toMatchObject({
      ok: true,
      events: 16,
      treeHeads: 5,
      eventsAfterLastTreeHead: 1,
    });
  });

  it('ignores a head signed after the log was read, over events the read did not see', async () => {
    const { sql, store, tables } = f;
    await append(3);
    await seal();
    // The last (and only) page is read; then, before the checker loads its heads, more events
    // come and a head over them is signed, as the sealer may do while a verify runs.
    const racing: Pick<PostgresEventStore, 'verifyIntegrity'> = {
      verifyIntegrity: (options) => {
        const observer = options!.observer!;
        const late: LogObserver = {
          ...observer,
          beforePage: async (upTo) => {
            await append(2);
            await seal();
            await observer.beforePage!(upTo);
          },
        };
        return store.verifyIntegrity({ ...options, observer: late });
      },
    };
    expect(await verifyStore(racing, sql, tables, log)).toMatchObject({
      ok: true,
      events: 3,
      treeHeads: 1,
    });
    expect(await verifyStore(store, sql, tables, log)).toMatchObject({
      ok: true,
      events: 5,
      treeHeads: 2,
    });
  });
});
