/**
 * Starts the whole command system (drafting, review, publishing) on a real HTTP port for an
 * end-to-end test, on PGlite in memory or on the real PostgreSQL server in a fresh schema,
 * and gives the test tokens and a small fetch wrapper. Nothing here is a fake: the tests
 * talk HTTP to the same app `npm start` serves.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { KeyObject } from 'node:crypto';
import type { AuditConfig } from '@newsroom/audit';
import { allServices } from '@newsroom/platform';
import type { SystemOptions } from '@newsroom/platform';
import { openEventStore, serviceDeps, startSystem } from '@newsroom/service-kit';
import type { Role, ServiceDeps } from '@newsroom/service-kit';
import type { PostgresEventStore } from '@newsroom/event-store';
import { Registry } from 'prom-client';
import { dropSystemSchemas, signToken } from '../support.js';

export type StoreKind = 'pglite' | 'postgres';

/** The audit's settings for a test: its own log name and key, seals only when asked (unless
 *  `overrides` says otherwise), the tree taking in events every 50 ms. */
export const auditSettings = (
  origin: string,
  signingKey: KeyObject,
  overrides: Partial<AuditConfig> = {},
): AuditConfig => ({
  origin,
  signingKey,
  keySource: { kind: 'ephemeral', path: '' },
  sealIntervalMs: 3_600_000,
  treePollMs: 50,
  publicTopic: undefined,
  ...overrides,
});
export const STORE_KINDS: readonly StoreKind[] = ['pglite', 'postgres'];

export const databaseUrl = (): string =>
  process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly text: string;
}

export interface TestSystem {
  readonly url: string;
  readonly store: PostgresEventStore;
  /** A service's read models are in `<prefix>_<service>` (the store's is `store.schema`). */
  readonly prefix: string;
  readonly secret: string;
  token(role: Role, sub: string): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** POST with a bearer token for `as`. */
  post(
    path: string,
    as: { role: Role; sub: string } | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  get(path: string, as: { role: Role; sub: string }): Promise<Reply>;
  /** Resolves once every processor has handled what the log holds now (read models current). */
  caughtUp(): Promise<void>;
  /** Stops every processor (the HTTP API keeps answering): nothing live mends a read model. */
  stopProcessors(): Promise<void>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export const startTestSystem = async (
  kind: StoreKind,
  clock?: () => Date,
  options: SystemOptions = {},
): Promise<TestSystem> => {
  const schema = `e2e_${randomUUID().replace(/-/g, '')}`;
  const opened =
    kind === 'postgres'
      ? await openEventStore({ databaseUrl: databaseUrl(), dataDir: '' }, { schema })
      : await openEventStore({ databaseUrl: undefined, dataDir: 'memory://' });
  const secret = randomBytes(32).toString('hex');
  // As a process makes them (its appends timed into /metrics), with the test's clock.
  const deps: ServiceDeps = {
    ...serviceDeps(
      // Warnings and errors only: a line per request would bury a failing test's output.
      { schemaPrefix: schema, auth: { kind: 'hs256', secret }, logLevel: 'warn' },
      opened,
      new Registry(),
    ),
    ...(clock === undefined ? {} : { clock }),
  };
  const system = await startSystem(
    deps,
    allServices(deps, { schedulerIntervalMs: 100, ...options }),
    {
      port: 0,
    },
  );
  // Ready as a process once its processors have started and read what the log holds.
  for (const processor of system.processors.values()) await processor.whenCaughtUp();
  // Not issueDevelopmentToken: tests also make tokens the services must refuse (the `system`
  // role, a subject with a space).
  const token = (role: Role, sub: string) => signToken(secret, role, sub);
  const request = async (
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Reply> => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        // The tests read the article back from command answers: ask for it (RFC 7240).
        prefer: 'return=representation',
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body, text };
  };
  return {
    url: system.url,
    store: opened.store,
    prefix: schema,
    secret,
    token,
    request,
    async post(path, as, body, headers) {
      return request('POST', path, {
        ...(as === undefined ? {} : { token: await token(as.role, as.sub) }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(headers === undefined ? {} : { headers }),
      });
    },
    async get(path, as) {
      return request('GET', path, { token: await token(as.role, as.sub) });
    },
    async caughtUp() {
      for (const processor of system.processors.values()) await processor.whenCaughtUp();
    },
    async stopProcessors() {
      await Promise.all([...system.processors.values()].map((p) => p.stop()));
    },
    async stop() {
      await system.stop();
      await opened.close();
      if (kind === 'postgres') await dropSystemSchemas(databaseUrl(), schema);
    },
  };
};

/** Every string inside a JSON value, in document order, as UTF-8 bytes (hex). */
export const textBytes = (value: unknown): string[] => {
  if (typeof value === 'string') return [Buffer.from(value, 'utf8').toString('hex')];
  if (Array.isArray(value)) return value.flatMap(textBytes);
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value)
      .sort()
      .flatMap((k) => [
        Buffer.from(k, 'utf8').toString('hex'),
        ...textBytes((value as Record<string, unknown>)[k]),
      ]);
  }
  return [];
};

/**
 * A test system started before the suite's tests and stopped after them. The returned object
 * stands for it (its members are read when a test runs, once the system is up).
 */
export const useTestSystem = (
  kind: StoreKind,
  clock?: () => Date,
  options: SystemOptions = {},
): TestSystem => {
  let current: TestSystem | undefined;
  beforeAll(async () => {
    current = await startTestSystem(kind, clock, options);
  });
  afterAll(async () => {
    await current?.stop();
  });
  return new Proxy({} as TestSystem, {
    get: (_target, key) => {
      if (current === undefined) throw new Error('the test system is not started yet');
      return Reflect.get(current, key);
    },
  });
};
