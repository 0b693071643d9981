/**
 * ReviseDraft over HTTP against the store's own append rate, in one run on one database.
 *
 * Starts the system as `npm start` does (drafting, review, publishing in one process: a child
 * process of this one, as a deployment would run it) on real PostgreSQL (DATABASE_URL, a fresh
 * schema, dropped after) and measures from this process, for 1, 4 and 16 concurrent clients each on its own
 * article, ReviseDraft commands (the seed article's content, a new summary each time) over
 * HTTP with keep-alive (node:http with a keep-alive agent: the load generator's own CPU
 * competes with the server's on this machine, and undici's fetch costs about twice as much
 * per request): commands/s, p50, p99. In the same run, the store's single-event append
 * rate with as many writers on distinct streams, with the same event payload. Prints JSON with
 * the ratio http/store per client count (goal: >= 0.6 at 16).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { issueDevelopmentToken, openEventStore } from '../packages/service-kit/src/index.js';
import { seedContent } from '../tests/e2e/seed-article.js';
import { dropSystemSchemas, startSystemProcess } from '../tests/support.js';
import { median, round, timed } from './timing.js';
import type { CaseResult } from './timing.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CASE_SECONDS = Number(process.env.CASE_SECONDS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const CLIENTS = (process.env.CLIENTS ?? '1,4,16').split(',').map(Number);
/** The process serving the commands: `npm start`'s (every service and processor, the
 *  default), or e.g. `services/drafting/src/main.ts` to see the command path on its own. */
const SYSTEM_ENTRY = process.env.SYSTEM_ENTRY ?? 'services/platform/src/main.ts';
/** node's arguments for the service process alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const SYSTEM_NODE_ARGS = (process.env.SYSTEM_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** A process's CPU time so far (user + system), in ms, from /proc (Linux). */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
};

async function main(): Promise<void> {
  const schema = `bench_http_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const opened = await openEventStore({ databaseUrl: DATABASE_URL, dataDir: '' }, { schema });
  const system = await startSystemProcess(DATABASE_URL, schema, SYSTEM_NODE_ARGS, SYSTEM_ENTRY);
  const token = await issueDevelopmentToken(system.secret, {
    id: 'bench.reporter',
    role: 'reporter',
  });
  const content = seedContent();
  const started = Date.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(system.url);

  const post = (path: string, body: unknown): Promise<number> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path,
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 300) reject(new Error(`${path}: ${status}`));
            else resolve(status);
          });
        },
      );
      request.on('error', reject);
      request.end(text);
    });

  /** Commands/s and latency, and the service process's CPU time per command (ms). */
  const httpCase = async (clients: number): Promise<CaseResult & { cpuMsPerCommand: number }> => {
    const articles = await Promise.all(
      Array.from({ length: clients }, async () => {
        const id = randomUUID();
        await post('/v1/drafts', { articleId: id, data: { content } });
        return id;
      }),
    );
    const cpuBefore = cpuMs(system.pid);
    const result = await timed(clients, CASE_SECONDS, async (c, i) => {
      await post(`/v1/drafts/${articles[c]}/revise`, {
        data: { content: { ...content, summary: `Bản sửa ${i} của bài viết.` } },
      });
      return 1;
    });
    return { ...result, cpuMsPerCommand: round((cpuMs(system.pid) - cpuBefore) / result.events) };
  };

  // The same event the command appends: DraftRevised.v1 with the full content and metadata.
  const storeCase = async (writers: number): Promise<CaseResult> => {
    const heads = new Array<bigint | 'no_stream'>(writers).fill('no_stream');
    const run = randomUUID();
    return timed(writers, CASE_SECONDS, async (w, i) => {
      const articleId = randomUUID();
      const result = await opened.store.appendToStream(
        `article-bench-${run}-${w}`,
        [
          {
            id: randomUUID(),
            type: 'DraftRevised.v1',
            data: {
              articleId,
              at: new Date().toISOString(),
              by: { id: 'bench.reporter', role: 'reporter' },
              content: { ...content, summary: `Bản sửa ${i} của bài viết.` },
            },
            metadata: {
              actor: { id: 'bench.reporter', role: 'reporter' },
              commandId: randomUUID(),
              correlationId: randomUUID(),
              causationId: randomUUID(),
              occurredAt: new Date().toISOString(),
            },
          },
        ],
        { expectedRevision: heads[w] ?? 'no_stream' },
      );
      heads[w] = result.nextExpectedRevision;
      return 1;
    });
  };

  try {
    await httpCase(2); // warm-up: JIT, connections, prepared statements
    const results = [];
    for (const clients of CLIENTS) {
      const http: (CaseResult & { cpuMsPerCommand: number })[] = [];
      const store: CaseResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        http.push(await httpCase(clients));
        store.push(await storeCase(clients));
      }
      const h = median(http) as CaseResult & { cpuMsPerCommand: number };
      const s = median(store);
      results.push({
        clients,
        http: {
          commandsPerSecond: h.eventsPerSecond,
          p50Ms: h.p50Ms,
          p99Ms: h.p99Ms,
          commands: h.events,
          serviceCpuMsPerCommand: h.cpuMsPerCommand,
          serviceCpuMsPerCommandRounds: http.map((x) => x.cpuMsPerCommand),
        },
        store: {
          appendsPerSecond: s.eventsPerSecond,
          p50Ms: s.p50Ms,
          p99Ms: s.p99Ms,
          appends: s.events,
        },
        ratio: round(h.eventsPerSecond / s.eventsPerSecond, 2),
      });
    }
    const server = (
      await opened.sql.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v')
    ).rows[0]?.v;
    console.log(
      JSON.stringify(
        {
          benchmark: 'http-revise-draft-vs-store-append',
          postgres: server,
          node: process.version,
          caseSeconds: CASE_SECONDS,
          rounds: ROUNDS,
          payloadBytes: Buffer.byteLength(JSON.stringify(content)),
          results,
          goal: { ratioAt16: 0.6, met: (results.find((r) => r.clients === 16)?.ratio ?? 0) >= 0.6 },
          totalSeconds: round((Date.now() - started) / 1000, 1),
        },
        null,
        2,
      ),
    );
  } finally {
    agent.destroy();
    await system.stop();
    await opened.close();
    await dropSystemSchemas(DATABASE_URL, schema);
  }
}

await main();
