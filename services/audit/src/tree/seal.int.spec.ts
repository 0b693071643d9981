/**
 * Growing and sealing the stored tree, on PGlite (the embedded mode runs the same SQL as
 * PostgreSQL): a head signs the log's root; a later one extends it; and a stored tree changed
 * under a head (a node inside it, a node past it, a node removed), a smaller tree or another
 * key is refused, never signed. Tampering runs as the superuser with the triggers off.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafHash, parseCheckpoint, rootOf, verifyNote } from '@newsroom/event-store';
import { catchUpTree, logSigner, NotTheLogKey, sealTreeHead, TreeDoesNotExtend } from './seal.js';
import type { LogSigner } from './seal.js';
import { useAuditOnPglite } from './pglite-fixture.js';
import { treeSealer } from './sealer.js';

const origin = 'newsroom.test/seal';
const signer = logSigner(origin, generateKeyPairSync('ed25519').privateKey);
const other = logSigner(origin, generateKeyPairSync('ed25519').privateKey);

describe('sealing the stored tree (PGlite)', () => {
  const f = useAuditOnPglite('seal', signer);
  let clock = Date.UTC(2026, 3, 8, 14, 0);
  const now = () => (clock += 1_000);
  const append = (count: number) => f.append(count);

  const seal = (as: LogSigner = signer, force = false) =>
    sealTreeHead(f.sql, f.tables, f.store, as, { force, now });
  const tamper = async (statement: string) => {
    await f.db.exec(
      `SET session_replication_role = replica; ${statement}; SET session_replication_role = origin;`,
    );
  };

  it('signs the root of the whole log, then a head that extends it', async () => {
    const { store } = f;
    await append(4);
    const first = (await seal())!;
    const leaves = (await store.readAll({ maxCount: 100 })).map((e) =>
      leafHash(Buffer.from(e.hash, 'hex')),
    );
    expect(first).toMatchObject({ number: 1, treeSize: 4, keyId: signer.keyId });
    expect(first.rootHash).toBe(rootOf(leaves).toString('hex'));
    const note = verifyNote(first.note, origin, signer.privateKey);
    expect(note.ok && parseCheckpoint(note.text)?.size).toBe(4);
    expect(await seal()).toBeUndefined(); // the tree did not grow: nothing to sign
    await append(3);
    const second = (await seal())!;
    expect(second).toMatchObject({ number: 2, treeSize: 7 });
    expect(second.time > first.time).toBe(true);
  });

  it('refuses a tree whose nodes under the last head were changed', async () => {
    const { tables } = f;
    await append(4);
    await seal();
    await tamper(`UPDATE ${tables}.tree_nodes SET hash = sha256(hash) WHERE level = 2`);
    await append(1);
    await expect(seal()).rejects.toThrow(TreeDoesNotExtend);
    await expect(seal()).rejects.toThrow(/its root at that size differs/);
  });

  it('refuses a tree whose nodes past the last head do not prove it extends', async () => {
    const { sql, store, tables } = f;
    await append(4);
    await seal();
    await append(4); // 8 leaves: the root is node 3:0, the proof from 4 is node 2:1
    await catchUpTree(sql, tables, store);
    await tamper(
      `UPDATE ${tables}.tree_nodes SET hash = sha256(hash) WHERE level = 2 AND node_index = 1`,
    );
    await expect(seal()).rejects.toThrow(/its consistency proof fails/);
  });

  it('refuses a tree that lacks a node, and a tree smaller than the last head', async () => {
    const { sql, store, tables } = f;
    await append(4);
    await seal();
    await append(4);
    await catchUpTree(sql, tables, store);
    await tamper(`DELETE FROM ${tables}.tree_nodes WHERE level = 2 AND node_index = 1`);
    await expect(seal()).rejects.toThrow(/is damaged \(the stored tree has no node 2:1\)/);
    await tamper(`UPDATE ${tables}.tree SET size = 2`);
    await expect(seal(signer, true)).rejects.toThrow(/it is smaller; not signed/);
  });

  it('refuses to sign with a key that is not the one the log is signed with', async () => {
    const { sql, tables } = f;
    await append(2);
    await seal();
    await append(1);
    await expect(seal(other)).rejects.toThrow(NotTheLogKey);
    const { rows } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${tables}.tree_heads`,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('seals on the interval counted from the latest head, across a restart', async () => {
    const { sql, store, schema, tables } = f;
    await append(2);
    const first = (await seal())!;
    await append(1);
    const at = Date.parse(first.time);
    const restarted = (since: number) =>
      treeSealer({
        schema,
        sql,
        store,
        signer,
        sealIntervalMs: 10_000,
        treePollMs: 1e9,
        now: () => at + since,
        log: () => undefined,
      });
    const NO_CONTEXT = { sql, schema: tables, log: () => undefined };
    await restarted(5_000).processor.tick!.run(NO_CONTEXT); // within the interval: no head
    const count = async () =>
      (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tables}.tree_heads`))
        .rows[0]!.n;
    expect(await count()).toBe(1);
    await restarted(11_000).processor.tick!.run(NO_CONTEXT); // a new process, past the interval
    expect(await count()).toBe(2);
  });

  it('reports a growth that fails in its readiness, until the tree grows again', async () => {
    const { sql, store, schema, tables } = f;
    // The sealer's tick uses its own driver: the runtime's context is not what it rests on.
    const NO_CONTEXT = { sql, schema: tables, log: () => undefined };
    const sealer = treeSealer({
      schema,
      sql,
      store,
      signer,
      sealIntervalMs: 1e9,
      treePollMs: 1e9,
      now,
      log: () => undefined,
    });
    await append(2);
    await sealer.processor.tick!.run(NO_CONTEXT);
    await expect(sealer.readiness.check()).resolves.toBeUndefined();
    const node = `${tables}.tree_nodes WHERE level = 1 AND node_index = 0`;
    const { rows } = await sql.query<{ hash: string }>(
      `SELECT encode(hash, 'hex') AS hash FROM ${node}`,
    );
    await tamper(`DELETE FROM ${node}`);
    await append(1);
    await sealer.processor.tick!.run(NO_CONTEXT);
    await expect(sealer.readiness.check()).rejects.toThrow(
      /growing the tree failed: the stored tree has no node 1:0/,
    );
    await sql.query(`INSERT INTO ${tables}.tree_nodes VALUES (1, 0, decode($1, 'hex'))`, [
      rows[0]!.hash,
    ]);
    await sealer.processor.tick!.run(NO_CONTEXT);
    await expect(sealer.readiness.check()).resolves.toBeUndefined();
    expect((await seal())!.treeSize).toBe(3);
  });
});
