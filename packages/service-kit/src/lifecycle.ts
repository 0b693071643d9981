import type { Server } from 'node:http';
import type { Express } from 'express';

export interface Closeable {
  readonly name: string;
  readonly close: () => Promise<void>;
}

/** Listens on host:port and resolves once the port is bound. */
export const listen = (app: Express, port: number, host = '127.0.0.1'): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
    server.once('error', reject);
  });

/** Stops accepting connections, lets in-flight requests finish, then closes each resource in order. */
export const shutdown = async (
  server: Server | undefined,
  resources: readonly Closeable[],
): Promise<void> => {
  if (server !== undefined) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
  for (const resource of resources) {
    try {
      await resource.close();
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: `closing ${resource.name} failed`,
          error: String(error),
        }),
      );
    }
  }
};

/** Runs shutdown once on SIGTERM or SIGINT, with a hard deadline. */
export const shutdownOnSignals = (
  server: Server,
  resources: readonly Closeable[],
  deadlineMs = 15_000,
): void => {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 'info', msg: `${signal}: shutting down` }));
    const timer = setTimeout(() => process.exit(1), deadlineMs);
    timer.unref();
    void shutdown(server, resources).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
};
