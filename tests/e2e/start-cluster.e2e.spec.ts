/**
 * `npm run start:cluster` as a user runs it: it prints every process with its URL and log file,
 * says so once every /readyz answers, and Ctrl-C (SIGINT) stops them all. Run here on a
 * deployment of its own (store schema, read-model prefix, topic, ports) beside the shared broker.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAdmin, createTopic, kafkaFromEnv, waitFor } from '@newsroom/messaging';
import { TOPOLOGY } from '../../infra/compose/topology.js';
import { dropSystemSchemas } from '../support.js';

/** The first of `n` consecutive ports on 127.0.0.1 that are all free now (below the
 *  ephemeral range, so that no outgoing connection takes one meanwhile). */
const freePorts = async (n: number): Promise<number> => {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const all = await Promise.all(Array.from({ length: n }, (_, i) => free(base + i)));
    if (all.every(Boolean)) return base;
  }
  throw new Error(`no ${n} consecutive free ports`);
};

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('npm run start:cluster', () => {
  const schema = `e2e_${randomUUID().replace(/-/g, '')}`;
  const logDir = mkdtempSync(join(tmpdir(), 'newsroom-cluster-'));
  afterAll(async () => {
    await dropSystemSchemas(DATABASE_URL, schema);
    rmSync(logDir, { recursive: true, force: true });
  });

  it(
    'starts the six processes, prints their URLs and logs, and Ctrl-C stops them all',
    {
      timeout: 180_000,
    },
    async () => {
      const topic = `e2e.start-cluster.${randomUUID()}`;
      const admin = await connectAdmin(kafkaFromEnv({ clientId: 'start-cluster-e2e' }));
      await createTopic(admin, topic, 3);
      await admin.disconnect();
      const basePort = await freePorts(TOPOLOGY.length);
      const child = spawn(process.execPath, ['--import', 'tsx', 'infra/compose/start-cluster.ts'], {
        env: {
          ...process.env,
          DATABASE_URL,
          EVENT_STORE_SCHEMA: schema,
          SCHEMA_PREFIX: schema,
          ARTICLE_EVENTS_TOPIC: topic,
          JWT_SECRET: randomUUID() + randomUUID(),
          CLUSTER_BASE_PORT: String(basePort),
          CLUSTER_LOG_DIR: logDir,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
        // Its own process group, so that a failed test can kill the launcher and all it started.
        detached: true,
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await waitFor(() => out.includes('every process answers /readyz'), 90_000, {
          description: 'start:cluster to report every process ready',
          intervalMs: 100,
        });
        const rows = TOPOLOGY.map((spec, i) => {
          const url = `http://127.0.0.1:${basePort + i}`;
          const log = join(logDir, `${spec.name}.log`);
          expect(out).toMatch(new RegExp(`^${spec.name}\\s+${url}\\s+${log}$`, 'm'));
          return { url, log };
        });
        for (const { url, log } of rows) {
          expect((await fetch(`${url}/readyz`)).status).toBe(200);
          expect(existsSync(log)).toBe(true);
          expect(readFileSync(log, 'utf8')).toContain('"msg":"listening"');
        }
        child.kill('SIGINT');
        expect(await exited).toBe(0);
        for (const { url } of rows) {
          await expect(fetch(`${url}/healthz`)).rejects.toThrow();
        }
      } finally {
        if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }
    },
  );
});
