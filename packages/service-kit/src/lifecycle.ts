import type { Server } from 'node:http';
import type { Express } from 'express';
import { createHttpServer, DEFAULT_SERVER_LIMITS } from './http-server.js';
import type { ServerLimits } from './http-server.js';

export interface Closeable {
  readonly name: string;
  readonly close: () => Promise<void>;
}

/** Serves `app` on host:port with `limits` (see http-server.ts); resolves once bound. */
export const listen = (
  app: Express,
  port: number,
  host = '127.0.0.1',
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createHttpServer(app, limits);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });

/**
 * Stops accepting connections, ends long-lived responses (`drain`: a live stream's clients,
 * told to reconnect), lets in-flight requests finish, then closes each resource in order.
 */
export const shutdown = async (
  server: Server | undefined,
  resources: readonly Closeable[],
  drain: readonly (() => Promise<void>)[] = [],
): Promise<void> => {
  for (const end of drain) await end().catch(() => undefined);
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

/** Runs `stop` once on SIGTERM or SIGINT, then exits; a hard deadline guards a stuck stop. */
export const shutdownOnSignals = (stop: () => Promise<void>, deadlineMs = 15_000): void => {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 'info', msg: `${signal}: shutting down` }));
    const timer = setTimeout(() => process.exit(1), deadlineMs);
    timer.unref();
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
};
