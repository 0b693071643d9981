/** Small helpers shared by the e2e tests and the benchmarks (no test runner needed). */
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
