/**
 * `npm run start:cluster` as a user runs it: it prints every process with its URL and log file,
 * says so once every /readyz answers, and Ctrl-C (SIGINT) stops them all. Run here on a
 * deployment of its own (store schema, read-model prefix, topic, ports) beside the shared broker.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAdmin, createTopic, kafkaFromEnv, waitFor } from '@newsroom/messaging';
import { TOPOLOGY } from '../../infra/compose/topology.js';
import { dropSystemSchemas } from '../support.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('npm run start:cluster', () => {
  const schema = `e2e_${randomUUID().replace(/-/g, '')}`;
  const logDir = mkdtempSync(join(tmpdir(), 'newsroom-cluster-'));
  afterAll(async () => {
    await dropSystemSchemas(DATABASE_URL, schema);
    rmSync(logDir, { recursive: true, force: true });
  });

  it('starts the six processes, prints their URLs and logs, and Ctrl-C stops them all', async () => {
    const topic = `e2e.start-cluster.${randomUUID()}`;
    const admin = await connectAdmin(kafkaFromEnv({ clientId: 'start-cluster-e2e' }));
    await createTopic(admin, topic, 3);
    await admin.disconnect();
    const basePort = 20_000 + Math.floor(Math.random() * 20_000);
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
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => out.includes('every process answers /readyz'), 120_000, {
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
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
