/** Small helpers shared by the e2e tests and the benchmarks (no test runner needed). */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });

/** Drops a system's schemas on the PostgreSQL server: the store's and `<prefix>_publishing`. */
export const dropSystemSchemas = async (databaseUrl: string, schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}_publishing" CASCADE`);
  } finally {
    await client.end();
  }
};

export interface SystemProcess {
  readonly url: string;
  /** The HS256 secret its tokens are signed with. */
  readonly secret: string;
  /** SIGTERM, and resolves when it has exited. */
  readonly stop: () => Promise<void>;
}

/** `npm start`'s process on PostgreSQL in `schema`, as a child; resolves once /readyz answers. */
export const startSystemProcess = async (
  databaseUrl: string,
  schema: string,
): Promise<SystemProcess> => {
  const secret = randomUUID();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/platform/src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      EVENT_STORE_SCHEMA: schema,
      SCHEMA_PREFIX: schema,
      JWT_SECRET: secret,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { url, secret, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${url} not ready within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};
