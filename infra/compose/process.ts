/**
 * One service process as an OS child: `node --import tsx services/<name>/src/main.ts` with its
 * environment and PORT, its stderr and stdout to the parent's stderr or to a log file, and
 * SIGTERM / SIGKILL / readiness. The cluster launcher and the e2e tests both start processes
 * through this.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

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

export interface ServiceProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, and resolves when it has exited. */
  readonly stop: () => Promise<void>;
  /** SIGKILL: no shutdown of any kind; resolves when it is gone. */
  readonly kill: () => Promise<void>;
  /** Resolves once `/readyz` answers 200 (rejects if it exits or after `timeoutMs`). */
  readonly ready: (timeoutMs?: number) => Promise<void>;
  /** Resolves when it has exited, however. */
  readonly exited: Promise<void>;
}

export interface ServiceProcessOptions {
  /** Default: a free port. */
  readonly port?: number;
  /** Default: wait until ready (and kill it if it never is). */
  readonly waitReady?: boolean;
  /** Its stdout and stderr appended here; default: stdout dropped, stderr to the parent's. */
  readonly logFile?: string;
  /** More arguments for node before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
}

/** A process's entry file (`services/<name>/src/main.ts`) as a child. */
export const startServiceProcess = async (
  entry: string,
  env: Readonly<Record<string, string>>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> => {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: log === undefined ? ['ignore', 'ignore', 'inherit'] : ['ignore', log, log],
  });
  if (log !== undefined) closeSync(log); // the child has its own copy
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const signal = async (name: NodeJS.Signals) => {
    if (gone()) return;
    child.kill(name);
    await exited;
  };
  const ready = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (gone()) throw new Error(`${entry} exited before it was ready`);
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
    exited,
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
