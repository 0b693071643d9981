/** Small helpers shared by the e2e tests and the benchmarks (no test runner needed). */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { startServiceProcess } from '../infra/compose/process.js';

export { freePort, startServiceProcess } from '../infra/compose/process.js';
export type { ServiceProcess } from '../infra/compose/process.js';

/** An HS256 bearer token for `role` and `sub`, signed with `secret`, valid for an hour. Signed
 *  here rather than by the services' helper, so tests can also make tokens they must refuse. */
export const signToken = (secret: string, role: string, sub: string): Promise<string> =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

/** Drops a system's schemas on the PostgreSQL server: the store's and each `<prefix>_<service>`. */
export const dropSystemSchemas = async (databaseUrl: string, schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const service of ['publishing', 'review', 'relay', 'syndication', 'audit']) {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_${service}" CASCADE`);
    }
  } finally {
    await client.end();
  }
};

export interface SystemProcess {
  readonly url: string;
  /** The process id (a benchmark reads its CPU time from /proc). */
  readonly pid: number;
  /** The HS256 secret its tokens are signed with. */
  readonly secret: string;
  /** SIGTERM, and resolves when it has exited. */
  readonly stop: () => Promise<void>;
}

/** `npm start`'s process (or another process's `entry`) on PostgreSQL in `schema`, as a child;
 *  resolves once /readyz answers. */
export const startSystemProcess = async (
  databaseUrl: string,
  schema: string,
  nodeArgs: readonly string[] = [],
  entry = 'services/platform/src/main.ts',
): Promise<SystemProcess> => {
  const secret = randomUUID();
  const child = await startServiceProcess(
    entry,
    {
      DATABASE_URL: databaseUrl,
      EVENT_STORE_SCHEMA: schema,
      SCHEMA_PREFIX: schema,
      JWT_SECRET: secret,
    },
    { nodeArgs },
  );
  return { url: child.url, pid: child.pid, secret, stop: child.stop };
};
