/** Small helpers shared by the e2e tests and the benchmarks (no test runner needed). */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { SignJWT } from 'jose';
import pg from 'pg';

/** An HS256 bearer token for `role` and `sub`, signed with `secret`, valid for an hour. Signed
 *  here rather than by the services' helper, so tests can also make tokens they must refuse. */
export const signToken = (secret: string, role: string, sub: string): Promise<string> =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

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

/** Drops a system's schemas on the PostgreSQL server: the store's and each `<prefix>_<service>`. */
export const dropSystemSchemas = async (databaseUrl: string, schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const service of ['publishing', 'review', 'relay']) {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_${service}" CASCADE`);
    }
  } finally {
    await client.end();
  }
};

export interface ServiceProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, and resolves when it has exited. */
  readonly stop: () => Promise<void>;
  /** SIGKILL: no shutdown of any kind; resolves when it is gone. */
  readonly kill: () => Promise<void>;
  /** Resolves once `/readyz` answers 200 (rejects if it exits or after `timeoutMs`). */
  readonly ready: (timeoutMs?: number) => Promise<void>;
}

/** A process's entry file (`services/<name>/src/main.ts`) as a child on a free port. */
export const startServiceProcess = async (
  entry: string,
  env: Readonly<Record<string, string>>,
  options: { readonly waitReady?: boolean } = {},
): Promise<ServiceProcess> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    await exited;
  };
  const ready = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${entry} exited before it was ready`);
      }
      const ok = await fetch(`${url}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${url} (${entry}) not ready in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const started: ServiceProcess = {
    url,
    pid: child.pid ?? -1,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    ready,
  };
  if (options.waitReady !== false) {
    try {
      await ready();
    } catch (error) {
      await started.kill();
      throw error;
    }
  }
  return started;
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
  const child = await startServiceProcess('services/platform/src/main.ts', {
    DATABASE_URL: databaseUrl,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    JWT_SECRET: secret,
  });
  return { url: child.url, secret, stop: child.stop };
};
