/**
 * Signed tree heads, on PostgreSQL: the audit service grows the log's Merkle tree and seals
 * it at an interval and on demand; each head is a C2SP checkpoint signed with the configured
 * Ed25519 key, over the root of every event in the log's order, with times strictly
 * increasing; proofs from the stored tree verify against a signed root; heads are public (a
 * list, the latest note, the key). A stored tree changed under a head is refused, never signed:
 * logged, counted in /metrics, and /readyz reports degraded.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  keyId,
  leafHash,
  parseCheckpoint,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '@newsroom/event-store';
import { auditSettings, databaseUrl, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.s' } as const;
const editor = { role: 'editor', sub: 'editor.s' } as const;
const auditor = { role: 'auditor', sub: 'auditor.s' } as const;
const key = generateKeyPairSync('ed25519');
const origin = 'newsroom.test/audit-seal';

describe('signed tree heads', () => {
  const sys = useTestSystem('postgres', undefined, {
    audit: auditSettings(origin, key.privateKey, { sealIntervalMs: 300 }),
  });
  const draft = async () => {
    const id = randomUUID();
    const reply = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: seedContent() },
    });
    expect(reply.status, reply.text).toBe(201);
    return id;
  };
  const leaves = async () =>
    (await sys.store.readAll({ maxCount: 100_000 })).map((e) => ({
      id: e.id,
      leaf: leafHash(Buffer.from(e.hash, 'hex')),
    }));
  const seal = async () => {
    await sys.caughtUp(); // every append readable in the log's order before the seal
    const reply = await sys.post('/v1/audit/tree-heads', auditor);
    expect(reply.status, reply.text).toBe(201);
    return reply.body as {
      number: number;
      treeSize: number;
      rootHash: string;
      time: string;
      note: string;
    };
  };

  it('seals on demand: a signed checkpoint over every event, numbered, later each time', async () => {
    const id = await draft();
    await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    const first = await seal();
    const log = await leaves();
    expect(first.treeSize).toBe(log.length);
    expect(first.rootHash).toBe(rootOf(log.map((l) => l.leaf)).toString('hex'));
    const verified = verifyNote(first.note, origin, key.publicKey);
    if (!verified.ok) throw new Error(verified.reason);
    const checkpoint = parseCheckpoint(verified.text)!;
    expect(checkpoint).toMatchObject({
      origin,
      size: log.length,
      extensions: [`time ${first.time}`],
    });
    expect(checkpoint.root.toString('hex')).toBe(first.rootHash);
    expect(verifyNote(first.note, origin, generateKeyPairSync('ed25519').publicKey)).toMatchObject({
      ok: false,
    });

    const again = await seal(); // nothing new: on demand still signs, later
    expect(again).toMatchObject({ number: first.number + 1, treeSize: first.treeSize });
    expect(Date.parse(again.time)).toBeGreaterThan(Date.parse(first.time));

    const key2 = await sys.request('GET', '/v1/audit/tree-heads/key');
    expect(key2.body).toMatchObject({
      origin,
      keyId: keyId(origin, key.publicKey).toString('hex'),
      algorithm: 'Ed25519',
    });
    expect(key2.body.verifierKey).toMatch(new RegExp(`^${origin}\\+[0-9a-f]{8}\\+`));
    const latest = await sys.request('GET', '/v1/audit/tree-heads/latest');
    expect(latest.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(latest.text).toBe(again.note);
    const list = await sys.request('GET', '/v1/audit/tree-heads?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items.map((h: { number: number }) => h.number)).toEqual([again.number]);
    const older = await sys.request('GET', list.body.next);
    expect(older.body.items[0]).toMatchObject({ number: first.number, note: first.note });
    expect((await sys.request('GET', '/v1/audit/tree-heads?limit=0')).status).toBe(400);
    expect((await sys.post('/v1/audit/tree-heads', editor)).status).toBe(403);
    expect((await sys.post('/v1/audit/tree-heads', undefined)).status).toBe(401);
  });

  it('seals at its interval once the log grew', async () => {
    const before = (await sys.request('GET', '/v1/audit/tree-heads?limit=1')).body.items[0];
    await draft();
    const size = (await leaves()).length;
    await expect
      .poll(async () => (await sys.request('GET', '/v1/audit/tree-heads?limit=1')).body.items[0], {
        timeout: 10_000,
      })
      .toMatchObject({ treeSize: size });
    const after = (await sys.request('GET', '/v1/audit/tree-heads?limit=1')).body.items[0];
    expect(after.number).toBeGreaterThan(before?.number ?? 0);
    const metrics = await sys.request('GET', '/metrics');
    expect(metrics.text).toMatch(
      /audit_seal_runs_total\{outcome="sealed",trigger="interval"\} [1-9]/,
    );
  });

  it('proves inclusion and consistency against signed roots', async () => {
    const first = await seal();
    const target = await draft();
    const second = await seal();
    const log = await leaves();
    const index = first.treeSize;
    const inclusion = await sys.get(
      `/v1/audit/proofs/inclusion?eventId=${log[index]!.id}&treeSize=${second.treeSize}`,
      auditor,
    );
    expect(inclusion.status, inclusion.text).toBe(200);
    expect(inclusion.body).toMatchObject({ leafIndex: index, rootHash: second.rootHash });
    const path = (inclusion.body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
    const root = Buffer.from(second.rootHash, 'hex');
    expect(verifyInclusion(index, second.treeSize, log[index]!.leaf, path, root)).toBe(true);
    expect(verifyInclusion(index, second.treeSize, log[0]!.leaf, path, root)).toBe(false);

    const consistency = await sys.get(
      `/v1/audit/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`,
      auditor,
    );
    expect(consistency.body).toMatchObject({ fromRoot: first.rootHash, toRoot: second.rootHash });
    const steps = (consistency.body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
    const [a, b] = [Buffer.from(first.rootHash, 'hex'), root];
    expect(verifyConsistency(first.treeSize, second.treeSize, steps, a, b)).toBe(true);
    expect(verifyConsistency(first.treeSize, second.treeSize, steps.slice(1), a, b)).toBe(false);

    const past = second.treeSize + 1_000;
    const tooBig = await sys.get(
      `/v1/audit/proofs/inclusion?eventId=${target}&treeSize=${past}`,
      auditor,
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors[0].path).toBe('treeSize');
    const unknown = `/v1/audit/proofs/inclusion?eventId=${randomUUID()}&treeSize=${second.treeSize}`;
    expect((await sys.get(unknown, auditor)).status).toBe(404);
    expect((await sys.get(`/v1/audit/proofs/consistency?from=5&to=3`, auditor)).status).toBe(400);
    expect((await sys.get(`/v1/audit/proofs/consistency?from=1&to=2`, editor)).status).toBe(403);
  });

  it('refuses to sign a stored tree changed under a head: logged, counted, degraded', async () => {
    const head = await seal();
    expect((await sys.request('GET', '/readyz')).body.status).toBe('ready');
    // A superuser who switches the triggers off rewrites the stored tree (every node).
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`SET session_replication_role = replica`); // the triggers off
      await client.query(`UPDATE "${sys.prefix}_audit".tree_nodes SET hash = sha256(hash)`);
    } finally {
      await client.end();
    }
    await draft();
    const refused = await sys.post('/v1/audit/tree-heads', auditor);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.detail).toMatch(`does not extend tree head ${head.number}`);
    const ready = await sys.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks).toContainEqual(
      expect.objectContaining({ name: 'audit-seal', ok: false, degradesOnly: true }),
    );
    const metrics = await sys.request('GET', '/metrics');
    expect(metrics.text).toMatch(/audit_seal_runs_total\{outcome="failed",trigger="demand"\} 1/);
    const latest = await sys.request('GET', '/v1/audit/tree-heads/latest');
    expect(latest.text).toBe(head.note); // nothing was signed over the changed tree
  });

  it('records every audit request, refused ones too, in an append-only log', async () => {
    const id = await draft();
    const asked = `/v1/audit/articles/${id}/history`;
    expect((await sys.get(asked, auditor)).status).toBe(200);
    expect((await sys.get(asked, editor)).status).toBe(403);
    const log = await sys.get(`/v1/audit/requests?limit=3`, auditor);
    expect(log.status, log.text).toBe(200);
    const [self, refused, answered] = log.body.items;
    expect(self).toMatchObject({
      actor: auditor.sub,
      method: 'GET',
      path: '/v1/audit/requests?limit=3',
    });
    expect(refused).toMatchObject({ actor: editor.sub, role: 'editor', path: asked });
    expect(answered).toMatchObject({ actor: auditor.sub, role: 'auditor', path: asked });
    expect(Date.parse(answered.at)).toBeLessThanOrEqual(Date.parse(refused.at));
    const mine = await sys.get(`/v1/audit/requests?actor=${editor.sub}`, auditor);
    expect(mine.body.items.every((r: { actor: string }) => r.actor === editor.sub)).toBe(true);
    expect((await sys.get(`/v1/audit/requests?limit=x`, auditor)).status).toBe(400);
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await expect(
        client.query(`DELETE FROM "${sys.prefix}_audit".audit_requests WHERE actor = $1`, [
          editor.sub,
        ]),
      ).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});
