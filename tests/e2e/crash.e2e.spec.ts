/**
 * Crash test: the whole system runs as a child OS process (`npm start`'s main) on PGlite in a
 * data folder or on PostgreSQL in a fresh schema. Several clients send CreateDraft and
 * ReviseDraft over HTTP; at a random moment of the burst the child gets SIGKILL. It is
 * restarted on the same data and every command that was acknowledged (a 2xx answer, read to
 * its end) must still be there: readable at its revision with the exact text sent, and
 * answered as a replay at the same revision when sent again. Five rounds per store on the same
 * data, the acknowledged commands accumulating. After the last round the child is stopped and
 * the store is opened here: its hash chains verified, every acknowledged command stored once
 * with the text sent, and no event that was not sent.
 *
 * The kill delays come from a seeded PRNG: CRASH_SEED=<n> reruns the same delays.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { issueDevelopmentToken, openEventStore } from '@newsroom/service-kit';
import type { OpenedStore } from '@newsroom/service-kit';
import { databaseUrl, STORE_KINDS, textBytes } from './harness.js';
import type { StoreKind } from './harness.js';
import { seedContent } from './seed-article.js';
import { dropSystemSchemas, freePort } from '../support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = 'services/platform/src/main.ts';
const ROUNDS = 5;
const CLIENTS = 4;
const KILL_DELAY_MS = { min: 50, max: 600 } as const;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

const baseSeed =
  process.env['CRASH_SEED'] !== undefined
    ? Number(process.env['CRASH_SEED']) >>> 0
    : randomBytes(4).readUInt32BE(0);

/** mulberry32: a small seeded PRNG, so that a failing run's kill delays can be replayed. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

// ---------------------------------------------------------------------------------------------
// The child process

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly exited: Promise<Exit>;
  readonly stderrTail: () => string;
}

const children = new Set<ChildProcess>();

/** Everything the service reads from the environment is set here, and only here. */
const CONFIG_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'JWT_SECRET',
  'JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'BODY_LIMIT',
  'EVENT_STORE_SCHEMA',
  'SCHEMA_PREFIX',
];

const startChild = async (env: Record<string, string>): Promise<Child> => {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !CONFIG_VARIABLES.includes(key)),
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...inherited, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  const exited = new Promise<Exit>((resolve) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    });
  });
  // Start-up warnings go to stderr: keep draining it (a full pipe would stall the child).
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stderrTail = () => stderr;
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`the child did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
          if (parsed.msg === 'listening' && typeof parsed.url === 'string') {
            clearTimeout(timer);
            resolve(parsed.url);
          }
        } catch {
          // not a JSON line
        }
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(`the child exited before listening (${JSON.stringify(exit)}): ${stderrTail()}`),
      );
    });
  });
  if (proc.pid === undefined) throw new Error('the child has no pid');
  // Traffic comes once it is ready, as a load balancer would send it: its processors started
  // (on PGlite their start-up shares the one database thread with the first commands).
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the child was not ready in time: ${stderrTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { proc, pid: proc.pid, url, exited, stderrTail };
};

const killChild = async (proc: ChildProcess): Promise<void> => {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGKILL');
  await exited;
};

/** SIGTERM, and the graceful shutdown must end with exit code 0. */
const stopChild = async (child: Child): Promise<Exit> => {
  child.proc.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref();
  });
  const outcome = await Promise.race([child.exited, timeout]);
  if (outcome === 'timeout') {
    await killChild(child.proc);
    throw new Error(`the child did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
  }
  return outcome;
};

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Resolves only with a whole answer: a body cut off by the kill is a rejection. */
const call = async (
  url: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Answer> => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
};

/** Runs `fn` over `items`, at most `limit` at a time. */
const eachLimited = async <T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
};

// ---------------------------------------------------------------------------------------------
// Commands

type Content = ReturnType<typeof seedContent> & { summary?: string };

interface Sent {
  readonly type: 'CreateDraft' | 'ReviseDraft';
  readonly round: number;
  readonly commandId: string;
  readonly articleId: string;
  readonly path: string;
  readonly body: unknown;
  readonly content: Content;
}

interface Acked extends Sent {
  readonly revision: number;
}

const EVENT_TYPE = { CreateDraft: 'DraftCreated.v1', ReviseDraft: 'DraftRevised.v1' } as const;

const createDraft = (round: number): Sent => {
  const articleId = randomUUID();
  const commandId = randomUUID();
  const content: Content = seedContent();
  return {
    type: 'CreateDraft',
    round,
    commandId,
    articleId,
    path: '/v1/drafts',
    body: { articleId, commandId, data: { content } },
    content,
  };
};

let revisionCounter = 0;
const reviseDraft = (round: number, articleId: string): Sent => {
  const commandId = randomUUID();
  // Unique text each time (an unchanged text is refused with 422), with non-ASCII in NFC.
  revisionCounter++;
  const summary = `Bản sửa số ${revisionCounter}, vòng ${round}: Hải Phòng đi đầu.`.normalize(
    'NFC',
  );
  const content: Content = { ...seedContent(), summary };
  return {
    type: 'ReviseDraft',
    round,
    commandId,
    articleId,
    path: `/v1/drafts/${articleId}/revise`,
    body: { commandId, data: { content } },
    content,
  };
};

const sameText = (stored: unknown, sent: Content): boolean =>
  isDeepStrictEqual(stored, sent) && isDeepStrictEqual(textBytes(stored), textBytes(sent));

// ---------------------------------------------------------------------------------------------
// Per-store setup and cleanup

interface Target {
  readonly env: Record<string, string>;
  readonly open: () => Promise<OpenedStore>;
  readonly dataDir?: string;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all([...children].map(killChild));
  // Last registered first: the store is closed before its folder or schema goes.
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('crash test cleanup failed:', error);
    }
  }
});

const prepare = (kind: StoreKind): Target => {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'newsroom-crash-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    return {
      env: { DATA_DIR: dataDir },
      open: () => openEventStore({ databaseUrl: undefined, dataDir }),
      dataDir,
    };
  }
  const schema = `crash_${randomBytes(8).toString('hex')}`;
  cleanups.push(() => dropSystemSchemas(databaseUrl(), schema));
  return {
    env: { DATABASE_URL: databaseUrl(), EVENT_STORE_SCHEMA: schema, SCHEMA_PREFIX: schema },
    open: () => openEventStore({ databaseUrl: databaseUrl(), dataDir: '' }, { schema }),
  };
};

// ---------------------------------------------------------------------------------------------

/** What the checks found; every count must be 0. */
interface Findings {
  /** Command ids of acknowledged commands not found (over HTTP or in the store). */
  readonly lost: Set<string>;
  /** Command ids of acknowledged commands found with another text or revision. */
  readonly altered: Set<string>;
  readonly problems: string[];
}

const note = (findings: Findings, text: string) => {
  if (findings.problems.length < 30) findings.problems.push(text);
};

/**
 * Over HTTP, on the restarted child: every article at least at its acknowledged revision,
 * every acknowledged revision readable with the text sent, every command answered again as a
 * replay at the same revision.
 */
const checkOverHttp = async (
  child: Child,
  token: string,
  acked: readonly Acked[],
  findings: Findings,
): Promise<void> => {
  const latest = new Map<string, number>();
  for (const a of acked) {
    latest.set(a.articleId, Math.max(latest.get(a.articleId) ?? -1, a.revision));
  }
  await eachLimited([...latest], 8, async ([articleId, revision]) => {
    const now = await call(child.url, token, 'GET', `/v1/drafts/${articleId}`);
    if (now.status !== 200 || !(Number(now.body?.revision) >= revision)) {
      note(
        findings,
        `GET ${articleId}: ${now.status}, revision ${now.body?.revision}, acknowledged ${revision}`,
      );
    }
  });
  await eachLimited(acked, 8, async (a) => {
    const what = `${a.type} ${a.commandId} (round ${a.round}, ${a.articleId}@${a.revision})`;
    const then = await call(
      child.url,
      token,
      'GET',
      `/v1/drafts/${a.articleId}?revision=${a.revision}`,
    );
    if (then.status !== 200 || then.body?.revision !== a.revision) {
      findings.lost.add(a.commandId);
      note(findings, `${what}: GET at its revision answered ${then.status}`);
      return; // not sent again: that would write it anew and hide the loss from the store check
    }
    if (!sameText(then.body?.article?.content, a.content)) {
      findings.altered.add(a.commandId);
      note(findings, `${what}: the text at its revision differs from the text sent`);
    }
    // Sent again, it must be recognised as the command already in the stream at that revision.
    const again = await call(child.url, token, 'POST', a.path, a.body);
    if (again.status !== 200 || again.body?.replayed !== true) {
      findings.lost.add(a.commandId);
      note(findings, `${what}: sent again, ${again.status} ${JSON.stringify(again.body)}`);
    } else if (again.body?.revision !== a.revision) {
      findings.altered.add(a.commandId);
      note(findings, `${what}: sent again, replayed at revision ${again.body?.revision}`);
    }
  });
};

/**
 * In the store itself (the child stopped): the hash chains and seals, every acknowledged
 * command stored once at its revision with the text sent, an in-doubt command stored at most
 * once and then with its text, a refused one not at all, and no other event.
 */
const checkStore = async (
  target: Target,
  acked: readonly Acked[],
  inDoubt: readonly Sent[],
  refused: readonly Sent[],
  findings: Findings,
) => {
  const opened = await target.open();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await opened.close();
  };
  cleanups.push(close);
  try {
    const integrity = await opened.store.verifyIntegrity();
    const byCommand = new Map<string, { revision: number; type: string; data: unknown }[]>();
    let storedEvents = 0;
    const streams = new Set([...acked, ...inDoubt, ...refused].map((s) => s.articleId));
    for (const articleId of streams) {
      for (const event of await opened.store.readStream(`article-${articleId}`)) {
        storedEvents++;
        const commandId = (event.metadata as { commandId?: unknown } | null)?.commandId;
        const key = typeof commandId === 'string' ? commandId : '(none)';
        byCommand.set(key, [
          ...(byCommand.get(key) ?? []),
          { revision: Number(event.revision), type: event.type, data: event.data },
        ]);
      }
    }
    const contentOf = (data: unknown) => (data as { content?: unknown } | null)?.content;
    for (const a of acked) {
      const what = `${a.type} ${a.commandId} (round ${a.round}, ${a.articleId}@${a.revision})`;
      const stored = byCommand.get(a.commandId) ?? [];
      const event = stored[0];
      if (stored.length !== 1 || event === undefined) {
        findings.lost.add(a.commandId);
        note(findings, `${what}: ${stored.length} events in the store, expected 1`);
      } else if (event.revision !== a.revision || event.type !== EVENT_TYPE[a.type]) {
        findings.altered.add(a.commandId);
        note(findings, `${what}: stored as ${event.type} at revision ${event.revision}`);
      } else if (!sameText(contentOf(event.data), a.content)) {
        findings.altered.add(a.commandId);
        note(findings, `${what}: the stored text differs from the text sent`);
      }
    }
    let inDoubtStored = 0;
    for (const d of inDoubt) {
      const stored = byCommand.get(d.commandId) ?? [];
      if (stored.length === 0) continue;
      inDoubtStored++;
      const event = stored[0];
      if (
        stored.length !== 1 ||
        event?.type !== EVENT_TYPE[d.type] ||
        !sameText(contentOf(event.data), d.content)
      ) {
        note(findings, `in-doubt ${d.type} ${d.commandId} stored wrongly: ${stored.length} events`);
      }
    }
    for (const r of refused) {
      if ((byCommand.get(r.commandId) ?? []).length > 0) {
        note(findings, `refused ${r.type} ${r.commandId} was stored anyway`);
      }
    }
    // Every event in the store is one of ours, once: none invented, none added by a replay.
    const expected = acked.length + inDoubtStored;
    if (integrity.events !== storedEvents || storedEvents !== expected) {
      note(
        findings,
        `the store holds ${integrity.events} events (${storedEvents} in our streams), expected ${expected}`,
      );
    }
    // Seal everything, and verify the chain over the seal too.
    const seal = await opened.store.seal();
    const sealed = await opened.store.verifyIntegrity();
    return { integrity, sealed, sealedEvents: seal?.eventCount, inDoubtStored };
  } finally {
    await close();
  }
};

describe.each(STORE_KINDS)('SIGKILL during a write burst on %s', (kind) => {
  it(`loses no acknowledged command over ${ROUNDS} kill/restart rounds`, async () => {
    const began = Date.now();
    const seed = (baseSeed + (kind === 'pglite' ? 0 : 1)) >>> 0;
    const random = prng(seed);
    const target = prepare(kind);
    const secret = randomBytes(32).toString('hex');
    const token = await issueDevelopmentToken(secret, { id: 'reporter.crash', role: 'reporter' });
    const env = { ...target.env, JWT_SECRET: secret };

    const acked: Acked[] = [];
    const inDoubt: Sent[] = []; // sent, but no whole answer came back: stored or not
    const refused: (Sent & { status: number; detail: string })[] = [];
    const unexpected: string[] = []; // transport failures before the kill, odd answers
    const articles: string[] = []; // created and acknowledged: the ones revised
    const killDelays: number[] = [];
    const perRound: Record<string, unknown>[] = [];
    const findings: Findings = { lost: new Set(), altered: new Set(), problems: [] };
    const report = (extra: Record<string, unknown>) =>
      console.log(
        JSON.stringify({
          test: 'crash',
          mode: kind,
          seed,
          rounds: perRound.length,
          acknowledged: acked.length,
          lost: findings.lost.size,
          altered: findings.altered.size,
          inDoubt: inDoubt.length,
          refused: refused.length,
          killDelaysMs: killDelays,
          ms: Date.now() - began,
          ...extra,
          perRound,
        }),
      );

    let child = await startChild(env);
    for (let round = 1; round <= ROUNDS; round++) {
      const delay = Math.round(
        KILL_DELAY_MS.min + random() * (KILL_DELAY_MS.max - KILL_DELAY_MS.min),
      );
      killDelays.push(delay);
      const ackedBefore = acked.length;
      const inDoubtBefore = inDoubt.length;

      // The burst, and a SIGKILL `delay` ms into it.
      let killed = false;
      let inFlight = 0;
      const victim = child;
      const client = async () => {
        while (!killed) {
          const article =
            articles.length > 0 && Math.random() < 0.7
              ? articles[Math.floor(Math.random() * articles.length)]
              : undefined;
          const sent = article === undefined ? createDraft(round) : reviseDraft(round, article);
          inFlight++;
          try {
            const answer = await call(victim.url, token, 'POST', sent.path, sent.body);
            if (answer.status >= 200 && answer.status < 300) {
              const body = answer.body as Record<string, unknown> | undefined;
              if (
                body?.['articleId'] !== sent.articleId ||
                typeof body['revision'] !== 'number' ||
                body['replayed'] !== false ||
                !isDeepStrictEqual(body['events'], [EVENT_TYPE[sent.type]])
              ) {
                unexpected.push(`odd answer to ${sent.type}: ${JSON.stringify(body)}`);
              }
              acked.push({ ...sent, revision: Number(body?.['revision']) });
              if (sent.type === 'CreateDraft') articles.push(sent.articleId);
            } else {
              refused.push({ ...sent, status: answer.status, detail: JSON.stringify(answer.body) });
            }
          } catch (error) {
            inDoubt.push(sent);
            if (!killed) unexpected.push(`${sent.type} failed before the kill: ${String(error)}`);
          } finally {
            inFlight--;
          }
        }
      };
      const burst = Promise.all(Array.from({ length: CLIENTS }, client));
      await new Promise((resolve) => setTimeout(resolve, delay));
      killed = true;
      const inFlightAtKill = inFlight;
      victim.proc.kill('SIGKILL');
      const exit = await victim.exited;
      await burst;
      expect(exit.signal, `the child should die of SIGKILL: ${victim.stderrTail()}`).toBe(
        'SIGKILL',
      );
      if (target.dataDir !== undefined) {
        // The killed process cannot have removed its lock: the restart has to take it over.
        const lock = join(target.dataDir, 'newsroom.lock');
        expect(existsSync(lock), 'a stale lock file').toBe(true);
        expect(readFileSync(lock, 'utf8').trim()).toBe(String(victim.pid));
      }

      // Restart on the same data: every command acknowledged so far must be there.
      const restarting = Date.now();
      child = await startChild(env);
      const restartMs = Date.now() - restarting;
      const failedBefore = findings.lost.size + findings.altered.size;
      await checkOverHttp(child, token, acked, findings);
      perRound.push({
        round,
        killDelayMs: delay,
        inFlightAtKill,
        acknowledged: acked.length - ackedBefore,
        inDoubt: inDoubt.length - inDoubtBefore,
        checked: acked.length,
        failed: findings.lost.size + findings.altered.size - failedBefore,
        restartMs,
        checkMs: Date.now() - restarting - restartMs,
      });
      if (findings.lost.size + findings.altered.size > 0) break; // report what was found, then fail
    }

    // Stop the last child cleanly, then look at the store itself.
    const stopped = await stopChild(child);
    expect(stopped, `graceful stop: ${child.stderrTail()}`).toEqual({ code: 0, signal: null });
    if (target.dataDir !== undefined) {
      expect(existsSync(join(target.dataDir, 'newsroom.lock')), 'lock released').toBe(false);
    }
    const store = await checkStore(target, acked, inDoubt, refused, findings);
    report({
      inDoubtStored: store.inDoubtStored,
      events: store.integrity.events,
      integrity: store.integrity.ok,
      sealedEvents: store.sealedEvents?.toString(),
    });

    expect(store.integrity, 'integrity of the store after the crashes').toMatchObject({
      ok: true,
    });
    expect(store.sealed, 'integrity after sealing').toMatchObject({ ok: true, unsealedEvents: 0 });
    expect(findings.problems, `reproduce the kill delays with CRASH_SEED=${baseSeed}`).toEqual([]);
    expect([...findings.lost], 'acknowledged commands lost').toEqual([]);
    expect([...findings.altered], 'acknowledged commands altered').toEqual([]);
    expect(unexpected).toEqual([]);
    const serverErrors = refused.filter((r) => r.status >= 500);
    expect(serverErrors.map((r) => `${r.status} ${r.detail}`)).toEqual([]);
    expect(perRound).toHaveLength(ROUNDS);
    // The test means something only if writes were acknowledged before the kills.
    expect(acked.length).toBeGreaterThan(0);
  });
});
