/**
 * Memory under large articles: CreateDrafts of about 880 KB each (the size that once ran a
 * PostgreSQL-backed process out of heap, when folded streams were cached by count only) sent
 * to the system as a separate process on real PostgreSQL (DATABASE_URL, a fresh schema,
 * dropped after). Samples the process's heap from its own /metrics and prints JSON: commands,
 * megabytes of text sent, the largest heap seen, and the stream cache's bound.
 */
import { randomUUID } from 'node:crypto';
import { issueDevelopmentToken } from '../packages/service-kit/src/index.js';
import { seedContent } from '../tests/e2e/seed-article.js';
import { dropSystemSchemas, startSystemProcess } from '../tests/support.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const COMMANDS = Number(process.env.COMMANDS ?? 600);
const CLIENTS = 4;

const heapUsed = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
};

async function main(): Promise<void> {
  const schema = `bench_mem_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const system = await startSystemProcess(DATABASE_URL, schema);
  const url = system.url;
  try {
    const token = await issueDevelopmentToken(system.secret, {
      id: 'bench.reporter',
      role: 'reporter',
    });
    // 34 paragraphs of 20,000 characters of Vietnamese text: about 880 KB.
    const paragraph = 'Hải Phòng '.repeat(1_999);
    const content = {
      ...seedContent(),
      blocks: Array.from({ length: 34 }, (_, i) => ({
        kind: 'paragraph',
        text: `${i} ${paragraph}`,
      })),
    };
    const bodyBytes = Buffer.byteLength(JSON.stringify({ data: { content } }));
    let sent = 0;
    let maxHeap = await heapUsed(url);
    const startHeap = maxHeap;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (sent < COMMANDS) {
          sent++;
          const reply = await fetch(`${url}/v1/drafts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ data: { content } }),
          });
          if (reply.status !== 201)
            throw new Error(`CreateDraft: ${reply.status} ${await reply.text()}`);
          await reply.arrayBuffer();
          if (sent % 25 === 0) maxHeap = Math.max(maxHeap, await heapUsed(url));
        }
      }),
    );
    maxHeap = Math.max(maxHeap, await heapUsed(url));
    const mb = (n: number) => Math.round(n / 1024 / 1024);
    console.log(
      JSON.stringify({
        bench: 'memory',
        commands: COMMANDS,
        bodyKB: Math.round(bodyBytes / 1024),
        textSentMB: mb(bodyBytes * COMMANDS),
        heapAtStartMB: mb(startHeap),
        heapMaxMB: mb(maxHeap),
        streamCacheBoundMB: 128,
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
  } finally {
    await system.stop();
    await dropSystemSchemas(DATABASE_URL, schema);
  }
}

await main();
