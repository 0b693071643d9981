/**
 * Tampering caught, on PostgreSQL: a superuser who switches the append-only triggers off
 * (`session_replication_role = replica`) changes the record in each way an insider could, and
 * `GET /v1/audit/verify` names the first bad event or tree head and why (and, for one article,
 * `?articleId=`). The log: articles A (3 events), B (2), C (1) sealed by head 1; D (2) by head
 * 2; E (1) not sealed yet. Every case starts from a fresh system.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleStreamName } from '@newsroom/contracts';
import {
  canonicalEvent,
  checkpointText,
  eventHash,
  keyId,
  leafHash,
  rootOf,
  signNote,
  ZERO_HASH,
} from '@newsroom/event-store';
import { auditSettings, databaseUrl, startTestSystem } from './harness.js';
import type { TestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.s' } as const;
const editor = { role: 'editor', sub: 'editor.s' } as const;
const auditor = { role: 'auditor', sub: 'auditor.s' } as const;
const origin = 'newsroom.test/tamper';
const key = generateKeyPairSync('ed25519');
const logKeyId = keyId(origin, key.privateKey).toString('hex');

interface Head {
  readonly number: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly time: string;
}

interface World {
  readonly sys: TestSystem;
  readonly ids: Record<'A' | 'B' | 'C' | 'D' | 'E', string>;
  readonly heads: readonly Head[];
  /** Runs statements as a superuser with the triggers off. */
  readonly tamper: (statements: readonly string[], params?: readonly unknown[][]) => Promise<void>;
  readonly events: string;
  readonly treeHeads: string;
}

const build = async (): Promise<World> => {
  const sys = await startTestSystem('postgres', undefined, {
    audit: auditSettings(origin, key.privateKey),
  });
  const ids = {
    A: randomUUID(),
    B: randomUUID(),
    C: randomUUID(),
    D: randomUUID(),
    E: randomUUID(),
  };
  const ok = (reply: { status: number; text: string }) =>
    expect(reply.status, reply.text).toBeLessThan(300);
  const draft = async (id: string) =>
    ok(await sys.post('/v1/drafts', reporter, { articleId: id, data: { content: seedContent() } }));
  const seal = async (): Promise<Head> => {
    await sys.caughtUp(); // every append readable in the log's order before the seal
    const reply = await sys.post('/v1/audit/tree-heads', auditor);
    expect(reply.status, reply.text).toBe(201);
    return reply.body as Head;
  };
  await draft(ids.A);
  ok(await sys.post(`/v1/drafts/${ids.A}/submit`, reporter, {}));
  ok(await sys.post(`/v1/reviews/${ids.A}/approve`, editor, {}));
  await draft(ids.B);
  ok(await sys.post(`/v1/drafts/${ids.B}/submit`, reporter, {}));
  await draft(ids.C);
  const first = await seal();
  await draft(ids.D);
  ok(await sys.post(`/v1/drafts/${ids.D}/submit`, reporter, {}));
  const second = await seal();
  await draft(ids.E);
  const tamper = async (statements: readonly string[], params: readonly unknown[][] = []) => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      for (const [i, statement] of statements.entries()) {
        await client.query(statement, [...(params[i] ?? [])]);
      }
    } finally {
      await client.end();
    }
  };
  return {
    sys,
    ids,
    heads: [first, second],
    tamper,
    events: `"${sys.store.schema}".events`,
    treeHeads: `"${sys.prefix}_audit".tree_heads`,
  };
};

const verify = async (w: World, articleId?: string) => {
  const reply = await w.sys.get(
    `/v1/audit/verify${articleId === undefined ? '' : `?articleId=${articleId}`}`,
    auditor,
  );
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
};

/** The stored event of `id` at `revision`, by its position. */
const where = (id: string, revision: number) =>
  `stream_name = '${articleStreamName(id)}' AND revision = ${revision}`;

/** A head signed with `privateKey` over the log's first `size` events as they are now. */
const signedHead = async (
  w: World,
  size: number,
  time: string,
  privateKey: KeyObject,
  root?: Buffer,
) => {
  const log = await w.sys.store.readAll({ maxCount: 1_000 });
  const actual = rootOf(log.slice(0, size).map((e) => leafHash(Buffer.from(e.hash, 'hex'))));
  const text = checkpointText({ origin, size, root: root ?? actual, extensions: [`time ${time}`] });
  return { root: (root ?? actual).toString('hex'), note: signNote(text, origin, privateKey) };
};

describe('tampering with the record is caught', () => {
  let w: World;
  beforeEach(async () => {
    w = await build();
  });
  afterEach(async () => {
    await w.sys.stop();
  });

  it('finds nothing wrong in an untouched store', async () => {
    const report = await verify(w);
    expect(report).toMatchObject({ ok: true, events: 9, streams: 5, treeHeads: 2 });
    const article = await verify(w, w.ids.A);
    expect(article).toMatchObject({ ok: true, events: 3, included: 3, unsealed: 0 });
    expect(article.treeHead).toMatchObject({ number: 2, treeSize: 8 });
    expect(await verify(w, w.ids.E)).toMatchObject({ ok: true, included: 0, unsealed: 1 });
  });

  it('one changed byte in the data', async () => {
    await w.tamper([
      `UPDATE ${w.events} SET body = replace(body::text, 'sáng tạo', 'sáng tảo')::json WHERE ${where(w.ids.B, 0)}`,
    ]);
    const report = await verify(w);
    expect(report.ok).toBe(false);
    expect(report.violation).toMatchObject({
      kind: 'event',
      revision: '0',
      reason: expect.stringMatching(/altered/),
    });
    expect(report.violation.streamName).toBe(articleStreamName(w.ids.B));
    expect((await verify(w, w.ids.B)).violation).toMatchObject({
      revision: '0',
      reason: expect.stringMatching(/altered/),
    });
    expect((await verify(w, w.ids.A)).ok).toBe(true);
  });

  it('one changed byte in the metadata', async () => {
    await w.tamper([
      `UPDATE ${w.events} SET body = replace(body::text, '"reporter.s"', '"reporter.z"')::json WHERE ${where(w.ids.A, 1)}`,
    ]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'event',
      revision: '1',
      reason: expect.stringMatching(/altered/),
    });
    expect((await verify(w, w.ids.A)).violation).toMatchObject({ revision: '1' });
  });

  it('one changed byte in a hash', async () => {
    await w.tamper([
      `UPDATE ${w.events} SET hash = set_byte(hash, 0, get_byte(hash, 0) # 1) WHERE ${where(w.ids.D, 1)}`,
    ]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'event',
      revision: '1',
      reason: expect.stringMatching(/hash does not match/),
    });
    expect(report.violation.streamName).toBe(articleStreamName(w.ids.D));
  });

  it('a deleted event', async () => {
    await w.tamper([`DELETE FROM ${w.events} WHERE ${where(w.ids.A, 1)}`]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'event',
      revision: '2',
      reason: expect.stringMatching(/revision gap/),
    });
    expect((await verify(w, w.ids.A)).violation).toMatchObject({
      revision: '2',
      reason: expect.stringMatching(/out of turn/),
    });
  });

  it('two events swapped in the log (each stream still in order)', async () => {
    // A's last event and B's first trade places: every chain holds, the signed tree does not.
    const a2 = `(SELECT transaction_id, position FROM ${w.events} WHERE ${where(w.ids.A, 2)})`;
    const b0 = `(SELECT transaction_id, position FROM ${w.events} WHERE ${where(w.ids.B, 0)})`;
    await w.tamper([
      `CREATE TEMP TABLE swap AS SELECT a.transaction_id AS at, a.position AS ap, b.transaction_id AS bt, b.position AS bp FROM ${a2} a, ${b0} b`,
      `UPDATE ${w.events} SET position = -1 WHERE ${where(w.ids.A, 2)}`,
      `UPDATE ${w.events} e SET transaction_id = s.at, position = s.ap FROM swap s WHERE ${where(w.ids.B, 0).replace(/stream_name|revision/g, (c) => `e.${c}`)}`,
      `UPDATE ${w.events} e SET transaction_id = s.bt, position = s.bp FROM swap s WHERE ${where(w.ids.A, 2).replace(/stream_name|revision/g, (c) => `e.${c}`)}`,
    ]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: expect.stringMatching(/history it signed was changed/),
    });
  });

  it('a truncated tail', async () => {
    await w.tamper([
      `DELETE FROM ${w.events} WHERE stream_name IN ('${articleStreamName(w.ids.D)}', '${articleStreamName(w.ids.E)}')`,
    ]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 2,
      reason: expect.stringMatching(/covers 8 events but the log holds 6: events were removed/),
    });
  });

  it('a whole stream removed', async () => {
    await w.tamper([`DELETE FROM ${w.events} WHERE stream_name = '${articleStreamName(w.ids.B)}'`]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: expect.stringMatching(/history it signed was changed/),
    });
  });

  it('an event inserted into the past', async () => {
    const stream = articleStreamName(randomUUID());
    const event = {
      id: randomUUID(),
      type: 'DraftCreated',
      data: { forged: true },
      metadata: null,
    };
    const at = new Date(Date.parse(w.heads[0]!.time) - 60_000);
    const body = canonicalEvent(event);
    const hash = eventHash(ZERO_HASH, stream, 0n, at, body);
    // Before every real event: a transaction id older than the first one's.
    await w.tamper(
      [
        `INSERT INTO ${w.events} (transaction_id, position, stream_name, revision, event_id, event_type, body, recorded_at, previous_hash, hash)
         SELECT '3'::xid8, 0, $1, 0, $2, $3, $4::json, $5, decode($6, 'hex'), decode($7, 'hex')`,
      ],
      [[stream, event.id, event.type, body, at.toISOString(), ZERO_HASH, hash]],
    );
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: expect.stringMatching(/history it signed was changed/),
    });
  });

  it("a tree head's stored time moved (its signed note untouched)", async () => {
    await w.tamper([`UPDATE ${w.treeHeads} SET time = time - interval '1 hour' WHERE number = 2`]);
    expect((await verify(w)).violation).toMatchObject({
      kind: 'tree-head',
      number: 2,
      reason: 'the stored time differs from the signed one',
      expected: w.heads[1]!.time,
    });
  });

  it("a tree head's stored key id changed", async () => {
    await w.tamper([`UPDATE ${w.treeHeads} SET key_id = '00000000' WHERE number = 1`]);
    expect((await verify(w)).violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: "the stored key id is not the log key's",
      expected: logKeyId,
    });
  });

  it("an event's leaf removed from the stored tree", async () => {
    const [event] = await w.sys.store.readStream(articleStreamName(w.ids.A), {
      fromRevision: 1n,
      maxCount: 1,
    });
    await w.tamper(
      [`DELETE FROM "${w.sys.prefix}_audit".tree_leaves WHERE event_id = $1`],
      [[event!.id]],
    );
    expect((await verify(w, w.ids.A)).violation).toMatchObject({
      eventId: event!.id,
      revision: '1',
      reason: expect.stringMatching(/holds no leaf for it/),
    });
  });

  it("a stored tree's nodes removed: the article's proof cannot be made, and says so", async () => {
    await w.tamper([`DELETE FROM "${w.sys.prefix}_audit".tree_nodes WHERE level = 1`]);
    expect((await verify(w, w.ids.A)).violation).toMatchObject({
      revision: '0',
      reason: expect.stringMatching(/^no proof for leaf 0: the stored tree has no node 1:/),
    });
  });

  it('the stored tree refuses change to anyone who leaves the triggers on', async () => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      for (const statement of [
        `UPDATE "${w.sys.prefix}_audit".tree_nodes SET hash = sha256(hash)`,
        `DELETE FROM "${w.sys.prefix}_audit".tree_leaves`,
        `TRUNCATE "${w.sys.prefix}_audit".tree_nodes`,
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/append-only/);
      }
    } finally {
      await client.end();
    }
    expect((await verify(w, w.ids.A)).ok).toBe(true);
  });

  it('a forged tree head (the signed size changed)', async () => {
    const head = w.heads[0]!;
    await w.tamper([
      `UPDATE ${w.treeHeads} SET note = replace(note, E'\\n${head.treeSize}\\n', E'\\n${head.treeSize - 1}\\n'), tree_size = ${head.treeSize - 1} WHERE number = 1`,
    ]);
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: expect.stringMatching(/signature of .* does not verify/),
    });
  });

  it('a history rewritten and every tree head re-signed with another key', async () => {
    await w.tamper([`DELETE FROM ${w.events} WHERE stream_name = '${articleStreamName(w.ids.C)}'`]);
    const other = generateKeyPairSync('ed25519').privateKey;
    for (const [i, head] of w.heads.entries()) {
      const forged = await signedHead(w, head.treeSize - 1, head.time, other);
      await w.tamper(
        [
          `UPDATE ${w.treeHeads} SET tree_size = $1, root = decode($2, 'hex'), note = $3 WHERE number = $4`,
        ],
        [[head.treeSize - 1, forged.root, forged.note, i + 1]],
      );
    }
    const report = await verify(w);
    expect(report.violation).toMatchObject({
      kind: 'tree-head',
      number: 1,
      reason: expect.stringMatching(/not signed by the log's key: no signature/),
    });
  });

  it('a tree head, signed with the log key, whose tree does not extend the previous one', async () => {
    // A fork: the size after head 2, a root of some other history, a later time.
    const later = new Date(Date.parse(w.heads[1]!.time) + 1_000).toISOString();
    const fork = await signedHead(
      w,
      9,
      later,
      key.privateKey,
      leafHash(Buffer.from('another history')),
    );
    await w.tamper(
      [
        `INSERT INTO ${w.treeHeads} (number, tree_size, root, time, key_id, note) VALUES (3, 9, decode($1, 'hex'), $2, $3, $4)`,
      ],
      [[fork.root, later, logKeyId, fork.note]],
    );
    expect((await verify(w)).violation).toMatchObject({
      kind: 'tree-head',
      number: 3,
      reason: expect.stringMatching(/history it signed was changed/),
    });
  });

  it('a tree head, signed with the log key, smaller than the one before it', async () => {
    const later = new Date(Date.parse(w.heads[1]!.time) + 1_000).toISOString();
    const back = await signedHead(w, w.heads[0]!.treeSize, later, key.privateKey);
    await w.tamper(
      [
        `INSERT INTO ${w.treeHeads} (number, tree_size, root, time, key_id, note) VALUES (3, $1, decode($2, 'hex'), $3, $4, $5)`,
      ],
      [[w.heads[0]!.treeSize, back.root, later, logKeyId, back.note]],
    );
    expect((await verify(w)).violation).toMatchObject({
      kind: 'tree-head',
      number: 3,
      reason: expect.stringMatching(/does not extend it/),
    });
  });
});
