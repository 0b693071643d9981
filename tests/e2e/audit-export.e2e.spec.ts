/**
 * Export and offline verification, on PostgreSQL: `GET /v1/audit/export` streams the log with
 * hashes, tree heads and consistency proofs as NDJSON; `newsroom audit verify-export` (the real
 * CLI, a child process, no database) verifies it with the log's verifier key, and fails, naming
 * the line, on a changed byte, a dropped event, a cut-off file, a consistency proof too long
 * or too short, or another key. An export from a position verifies from its anchor head.
 * `newsroom audit verify-consistency` checks a later head against a kept one, and refuses a
 * fork signed with the log's own key.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyExport } from '@newsroom/audit';
import {
  checkpointText,
  leafHash,
  parseVerifierKey,
  signNote,
  verifierKey,
} from '@newsroom/event-store';
import { auditSettings, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const run = promisify(execFile);
const reporter = { role: 'reporter', sub: 'reporter.x' } as const;
const auditor = { role: 'auditor', sub: 'auditor.x' } as const;
const origin = 'newsroom.test/export';
const key = generateKeyPairSync('ed25519');
const vkey = verifierKey(origin, key.publicKey);
const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
const cli = new URL('../../services/cli/bin/newsroom.js', import.meta.url).pathname;

const newsroom = async (...args: string[]) => {
  try {
    const { stdout } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

async function* linesOf(text: string) {
  yield* text.split('\n');
}

describe('export and offline verification', () => {
  const sys = useTestSystem('postgres', undefined, {
    audit: auditSettings(origin, key.privateKey),
  });
  const draft = async () => {
    const id = randomUUID();
    const made = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: seedContent() },
    });
    expect(made.status, made.text).toBe(201);
    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
    return id;
  };
  const seal = async () => {
    await sys.caughtUp(); // every append readable in the log's order before the seal
    const reply = await sys.post('/v1/audit/tree-heads', auditor);
    expect(reply.status, reply.text).toBe(201);
    return reply.body as { number: number; treeSize: number; note: string };
  };
  const exported = async (query = '') => {
    const reply = await sys.get(`/v1/audit/export${query}`, auditor);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    return reply.text;
  };
  const check = (text: string) => verifyExport(linesOf(text), parseVerifierKey(vkey)!);

  it('exports the log and verifies it offline with the CLI, and nothing altered verifies', async () => {
    await draft();
    await draft();
    const first = await seal();
    await draft();
    const second = await seal();
    await draft(); // not sealed yet
    const text = await exported();
    const log = await sys.store.readAll({ maxCount: 10_000 });
    const file = join(dir, 'export.ndjson');
    writeFileSync(file, text);
    const ok = await newsroom('audit', 'verify-export', file, '--public-key', vkey, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      events: log.length,
      treeHeads: 2,
      lastTreeHead: { number: second.number, treeSize: second.treeSize },
      eventsAfterLastTreeHead: 2, // the last draft and its submission
    });
    const human = await newsroom('audit', 'verify-export', file, '--public-key', vkey);
    expect(human.stdout).toMatch(
      new RegExp(`^ok: ${log.length} events in 4 streams, 2 tree heads verified`),
    );

    const lines = text.trimEnd().split('\n');
    const at = (kind: string, nth = 0) =>
      lines.map((l, i) => [JSON.parse(l).kind, i] as const).filter(([k]) => k === kind)[nth]![1];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const edit = (i: number, change: (line: Record<string, any>) => void) => {
      const copy = [...lines];
      const value = JSON.parse(copy[i]!);
      change(value);
      copy[i] = JSON.stringify(value);
      return copy.join('\n');
    };
    const changed = edit(at('event', 2), (e) => {
      const content = e.body.data.content;
      content.headline = content.headline.replace('sáng tạo', 'sáng tảo');
    });
    expect((await check(changed)).violation).toEqual({
      line: at('event', 2) + 1,
      reason: 'hash does not match the content: the event was altered',
    });
    // The same JSON value written another way is not the stored text: its bytes are hashed as
    // they are, not re-canonicalized, so the hash the log signed does not match them.
    const rewritten = (rewrite: (body: string) => string) => {
      const i = at('event', 2);
      const line = lines[i]!;
      const body = JSON.stringify(JSON.parse(line).body);
      expect(line).toContain(`"body":${body},`);
      const copy = [...lines];
      copy[i] = line.replace(body, rewrite(body));
      expect(copy[i]).not.toBe(line);
      return copy.join('\n');
    };
    for (const variant of [
      rewritten((body) => `{ ${body.slice(1)}`), // a space: the same value
      rewritten((body) => body.replace('ả', '\\u1ea3')),
    ]) {
      expect((await check(variant)).violation).toEqual({
        line: at('event', 2) + 1,
        reason: 'hash does not match the content: the event was altered',
      });
    }
    const dropped = lines.filter((_, i) => i !== at('event', 1)).join('\n');
    expect((await check(dropped)).violation?.reason).toMatch(/out of turn/);
    const cut = lines.slice(0, -1).join('\n');
    expect((await check(cut)).violation?.reason).toMatch(/cut off/);
    const head2 = at('tree-head', 1);
    const long = edit(head2, (h) => h.consistency.proof.push(h.head.rootHash));
    expect((await check(long)).violation?.reason).toMatch(
      /consistency proof from tree head 1 does not verify/,
    );
    const short = edit(head2, (h) => h.consistency.proof.pop());
    expect((await check(short)).violation?.reason).toMatch(
      /consistency proof from tree head 1 does not verify/,
    );
    const other = verifierKey(origin, generateKeyPairSync('ed25519').publicKey);
    const refused = await newsroom('audit', 'verify-export', file, '--public-key', other);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAILED at line \d+: tree head 1: not signed by the log's key/);
    expect((await newsroom('audit', 'verify-export', file)).code).toBe(2);

    // From a position after the first head: the first head is the anchor.
    const from = log[first.treeSize]!.position;
    const part = await exported(`?fromPosition=${from.transactionId}.${from.sequence}`);
    const header = JSON.parse(part.split('\n')[0]!);
    expect(header).toMatchObject({ leafIndex: first.treeSize + 1, anchor: { number: 1 } });
    expect(await check(part)).toMatchObject({
      ok: true,
      events: log.length - first.treeSize - 1,
      treeHeads: 1,
    });
    expect((await sys.get('/v1/audit/export?fromPosition=x', auditor)).status).toBe(400);
    // Past the columns' range (xid8, bigint): a 400 naming the field, not a database error.
    for (const past of ['18446744073709551616.0', '1.9223372036854775808']) {
      const reply = await sys.get(`/v1/audit/export?fromPosition=${past}`, auditor);
      expect(reply.status, reply.text).toBe(400);
      expect(reply.body.errors[0].path).toBe('fromPosition');
    }
  });

  it('serves exports side by side, and after a client hangs up mid-export the next one works', async () => {
    await draft();
    await seal();
    // More exports at once than the COPYs allowed to hold a connection: the others wait.
    const texts = await Promise.all(Array.from({ length: 5 }, () => exported()));
    for (const text of texts) expect((await check(text)).ok).toBe(true);
    expect(new Set(texts.map((t) => t.replace(/"exportedAt":"[^"]+"/, ''))).size).toBe(1);
    // A client that reads the first bytes and hangs up.
    const token = await sys.token('auditor', 'auditor.x');
    const response = await fetch(`${sys.url}/v1/audit/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect((await check(await exported())).ok).toBe(true);
  });

  it('checks that a later tree head extends a kept one, and refuses a fork', async () => {
    const kept = await seal();
    await draft();
    const later = await seal();
    const [keptFile, laterFile] = [join(dir, 'kept.note'), join(dir, 'later.note')];
    writeFileSync(keptFile, kept.note);
    writeFileSync(laterFile, later.note);
    const token = await sys.token('auditor', 'auditor.x');
    const base = ['audit', 'verify-consistency', keptFile, laterFile, '--public-key', vkey];
    const ok = await newsroom(...base, '--url', sys.url, '--token', token);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(`extends the kept one of ${kept.treeSize}`);

    // A fork: the later size, another root, signed with the log's own key.
    const forkFile = join(dir, 'fork.note');
    const text = checkpointText({
      origin,
      size: later.treeSize,
      root: leafHash(Buffer.from('another history')),
      extensions: [`time ${new Date().toISOString()}`],
    });
    writeFileSync(forkFile, signNote(text, origin, key.privateKey));
    const proof = await sys.get(
      `/v1/audit/proofs/consistency?from=${kept.treeSize}&to=${later.treeSize}`,
      auditor,
    );
    const proofFile = join(dir, 'proof.json');
    writeFileSync(proofFile, proof.text);
    const fork = await newsroom(
      'audit',
      'verify-consistency',
      keptFile,
      forkFile,
      '--public-key',
      vkey,
      '--proof',
      proofFile,
      '--json',
    );
    expect(fork.code).toBe(1);
    expect(JSON.parse(fork.stdout).reason).toMatch(/the log was rewritten/);
    writeFileSync(
      proofFile,
      JSON.stringify({ ...proof.body, proof: [...proof.body.proof, proof.body.toRoot] }),
    );
    const long = await newsroom(...base, '--proof', proofFile);
    expect(long.code).toBe(1);
    expect(long.stdout).toMatch(/^FAILED: the proof does not take the kept root/);

    // A head against itself needs no proof and no server; other heads do.
    const self = ['audit', 'verify-consistency', keptFile, keptFile, '--public-key', vkey];
    expect((await newsroom(...self)).code).toBe(0);
    const unproved = await newsroom(...base);
    expect(unproved.code).toBe(2);
    expect(unproved.stderr).toMatch(/these heads need a consistency proof/);
    writeFileSync(proofFile, JSON.stringify({ from: 'x', to: later.treeSize, proof: [] }));
    const malformed = await newsroom(...base, '--proof', proofFile);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/not a consistency proof \(from: /);
  });
});
