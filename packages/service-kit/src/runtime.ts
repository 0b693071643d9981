/**
 * How a process is put together: the event store (PostgreSQL when DATABASE_URL is set,
 * otherwise PGlite in DATA_DIR), the authenticator, and the services it serves. The same
 * service code runs in every wiring; only this file knows which one it is.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Express, Router } from 'express';
import { createPostgresEventStore, pgDriver, pgliteDriver } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerAppendMetrics, timedAppends } from './append-metrics.js';
import { startProcessor, storeDeadLetters, storeSource } from '@newsroom/processing';
import type {
  DeadLetterSink,
  Processor,
  ProcessorSource,
  RunningProcessor,
} from '@newsroom/processing';
import { ARTICLE_EVENTS_TOPIC } from '@newsroom/contracts';
import { createPublisher, kafkaDeadLetters, kafkaFromEnv, kafkaSource } from '@newsroom/messaging';
import { createApp } from './app.js';
import { createLogger, logTo } from './logger.js';
import { startTracing, stopTracing } from './tracing.js';
import type { Log } from './logger.js';
import type { DestinationStream } from 'pino';
import { API_VERSION, openApiDocument } from './openapi/document.js';
import type { ApiDescription } from './openapi/operations.js';
import { openApiRouter } from './openapi/routes.js';
import { startSealer } from './sealer.js';
import type { ServerLimits } from './http-server.js';
import type { ReadinessCheck } from './app.js';
import { createAuthenticator } from './auth.js';
import type { Authenticator } from './auth.js';
import { loadConfig, loadDotEnv, settingsOrExit } from './config.js';
import type { ServiceConfig } from './config.js';
import { listen, shutdown, shutdownOnSignals } from './lifecycle.js';
import type { Closeable } from './lifecycle.js';

/** What every service is built from. */
export interface ServiceDeps {
  readonly store: PostgresEventStore;
  /** The same database, for a service's own read models (each in its own schema). */
  readonly sql: SqlDriver;
  /** The schema of a service's read models: `publishing`, or `<prefix>_publishing`. */
  readonly readModelSchema: (service: string) => string;
  readonly authenticator: Authenticator;
  /** The clock commands are stamped with; tests pass a fixed one. */
  readonly clock?: () => Date;
  /** The process's metrics registry, for a service's own metrics (served at /metrics). */
  readonly registry?: Registry;
  /** The process's structured log (logger.ts): a service's own lines go there too. */
  readonly log: Log;
}

/** What a service contributes to the process that hosts it. */
export interface ServiceDefinition {
  readonly name: string;
  readonly routes: readonly (readonly [prefix: string, router: Router])[];
  readonly readiness?: readonly ReadinessCheck[];
  /** Its background work: run by the process's processor runtime (readiness and metrics included). */
  readonly processors?: readonly Processor[];
  /** Other work started after the port is bound. */
  readonly start?: () => Promise<void>;
  readonly stop?: () => Promise<void>;
  /** Ends its long-lived responses (a live stream) before the server closes. */
  readonly drain?: () => Promise<void>;
  /** Its endpoints in the process's OpenAPI document (`/openapi.json`). */
  readonly api?: ApiDescription;
}

/** `publishing`, or `<prefix>_publishing` when a prefix isolates one deployment (or test). */
export const readModelSchemas =
  (prefix: string | undefined) =>
  (service: string): string =>
    prefix === undefined ? service : `${prefix}_${service}`;

export interface OpenedStore {
  readonly store: PostgresEventStore;
  readonly sql: SqlDriver;
  readonly close: () => Promise<void>;
}

/** PostgreSQL at `databaseUrl`, or PGlite persisted in `dataDir` (in memory for `memory://`). */
export const openEventStore = async (
  config: Pick<ServiceConfig, 'databaseUrl' | 'dataDir'>,
  options: { readonly schema?: string } = {},
): Promise<OpenedStore> => {
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  const open = async (sql: SqlDriver, closeDriver: () => Promise<void>): Promise<OpenedStore> => {
    try {
      const store = await createPostgresEventStore({ driver: sql, ...schema });
      return {
        store,
        sql,
        close: async () => {
          await store.close();
          await closeDriver();
        },
      };
    } catch (error) {
      await closeDriver();
      throw error;
    }
  };
  if (config.databaseUrl !== undefined) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 20,
      // Processors hold connections for long (their locks): notice a vanished server.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    });
    return open(pgDriver(pool), () => pool.end());
  }
  const unlock = config.dataDir === 'memory://' ? () => undefined : lockDataDir(config.dataDir);
  try {
    const db = await PGlite.create(config.dataDir === 'memory://' ? undefined : config.dataDir);
    return await open(pgliteDriver(db), async () => {
      await db.close();
      unlock();
    });
  } catch (error) {
    unlock();
    throw error;
  }
};

/** Whether `pid` runs: a zombie (killed, not yet reaped by its parent) holds nothing open. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here: trust the signal check
  }
};

/**
 * PGlite is one process's database: two processes on one data folder would corrupt it. A lock
 * file holding the owner's pid refuses a second process; a lock left by a dead one is taken over.
 */
export const lockDataDir = (dataDir: string): (() => void) => {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, 'newsroom.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lock, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new Error(`the data folder ${dataDir} is in use by process ${owner}`);
      }
      rmSync(lock, { force: true }); // left by a process that is gone
    }
  }
  throw new Error(`could not lock the data folder ${dataDir}`);
};

export interface RunningSystem {
  readonly app: Express;
  readonly server: Server;
  readonly url: string;
  /** Every processor this process runs, by name (tests wait on them: whenCaughtUp). */
  readonly processors: ReadonlyMap<string, RunningProcessor>;
  readonly stop: () => Promise<void>;
}

/** Builds the app for `services` and starts their background work; serves on host:port. */
export interface SystemOptions {
  readonly port: number;
  readonly host?: string;
  readonly bodyLimit?: string;
  /** How often the process seals the store's log (default 60 s; see sealer.ts). */
  readonly sealIntervalMs?: number;
  readonly serverLimits?: ServerLimits;
  /** How often a standby processor tries for its lock (default 500 ms). */
  readonly standbyPollMs?: number;
  /** The metrics registry, when the caller registers its own metrics on it too. */
  readonly registry?: Registry;
  /**
   * Where processors read article events: `embedded` (default), the store's own log, one
   * process; `kafka`, the article-events topic through a consumer group per processor (the
   * relay puts the log there), dead letters on the dead-letter topic. A processor marked
   * `source: 'store'` (the relay) reads the store's log either way.
   */
  readonly transport?: 'embedded' | 'kafka';
  /** The topic the kafka transport reads (default newsroom.article-events.v1). */
  readonly articleEventsTopic?: string;
}

/** The source and dead-letter sink of each processor, for the process's transport. */
const transportFor = (
  transport: 'embedded' | 'kafka',
  topic: string,
  deps: ServiceDeps,
  resources: Closeable[],
): ((processor: Processor) => { source: ProcessorSource; deadLetters: DeadLetterSink }) => {
  const embedded = () => ({
    source: storeSource({ store: deps.store }),
    deadLetters: storeDeadLetters(deps.store.schema),
  });
  if (transport === 'embedded') return embedded;
  const kafka = kafkaFromEnv({ clientId: 'newsroom' });
  const publisher = createPublisher(kafka);
  resources.push({ name: 'kafka-dead-letters', close: publisher.close });
  return (processor) =>
    processor.source === 'store'
      ? embedded()
      : {
          // One group per processor and deployment: the store's schema names the deployment
          // (two on one broker never share a group and split each other's partitions).
          source: kafkaSource({
            kafka,
            topic,
            groupId: `newsroom:${deps.store.schema}:${processor.schema}:${processor.name}`,
          }),
          deadLetters: kafkaDeadLetters(publisher),
        };
};

/** The OpenAPI document of a process that runs `services`. */
export const processReference = (services: readonly ServiceDefinition[]) =>
  openApiDocument({
    title: `Newsroom: ${services.map((s) => s.name).join(', ')}`,
    version: API_VERSION,
    services: services.flatMap((s) => (s.api === undefined ? [] : [s.api])),
  });

/** Every route a process that runs `services` mounts, its API reference first. */
export const processRoutes = (
  services: readonly ServiceDefinition[],
): readonly (readonly [prefix: string, router: Router])[] => [
  ['/', openApiRouter(processReference(services))],
  ...services.flatMap((s) => s.routes),
];

export const startSystem = async (
  deps: ServiceDeps,
  services: readonly ServiceDefinition[],
  listenOn: SystemOptions,
  extraResources: readonly Closeable[] = [],
): Promise<RunningSystem> => {
  const log = deps.log;
  const registry = listenOn.registry ?? deps.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  registerAppendMetrics(deps.store, registry);
  const sealer = startSealer({
    store: deps.store,
    intervalMs: listenOn.sealIntervalMs ?? 60_000,
    registry,
    log,
  });
  const processors = new Map<string, RunningProcessor>();
  const processorReadiness: ReadinessCheck[] = services
    .flatMap((s) => s.processors ?? [])
    .map((p) => ({
      name: `processor:${p.name}`,
      check: async () => {
        const running = processors.get(p.name);
        if (running === undefined) throw new Error(`processor ${p.name} has not started`);
        await running.ready();
      },
    }));
  const { app } = createApp({
    routes: processRoutes(services),
    readiness: [
      { name: 'event-store', check: async () => void (await deps.store.readAll({ maxCount: 1 })) },
      sealer.readiness,
      ...processorReadiness,
      ...services.flatMap((s) => s.readiness ?? []),
    ],
    ...(listenOn.bodyLimit === undefined ? {} : { bodyLimit: listenOn.bodyLimit }),
    registry,
    log,
  });
  const host = listenOn.host ?? '127.0.0.1';
  let server: Server;
  try {
    server = await listen(app, listenOn.port, host, listenOn.serverLimits);
  } catch (error) {
    await sealer.stop();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listenOn.port;
  const resources: Closeable[] = [
    ...services.flatMap((s) => (s.stop ? [{ name: s.name, close: s.stop }] : [])),
    {
      name: 'processors',
      close: async () => void (await Promise.all([...processors.values()].map((p) => p.stop()))),
    },
    { name: 'sealer', close: sealer.stop },
  ];
  try {
    // Closed after the processors, before what the caller passed (the store).
    const feed = transportFor(
      listenOn.transport ?? 'embedded',
      listenOn.articleEventsTopic ?? ARTICLE_EVENTS_TOPIC,
      deps,
      resources,
    );
    resources.push(...extraResources);
    for (const processor of services.flatMap((s) => s.processors ?? [])) {
      if (processors.has(processor.name)) {
        throw new Error(`two processors are named ${processor.name}`);
      }
      processors.set(
        processor.name,
        startProcessor({
          processor,
          sql: deps.sql,
          store: deps.store,
          ...feed(processor),
          registry,
          log,
          ...(listenOn.standbyPollMs === undefined
            ? {}
            : { standbyPollMs: listenOn.standbyPollMs }),
        }),
      );
    }
    for (const service of services) await service.start?.();
  } catch (error) {
    // Stop what did start, close the port and the store, then report why.
    await shutdown(
      server,
      resources,
      services.flatMap((s) => (s.drain ? [s.drain] : [])),
    );
    throw error;
  }
  return {
    app,
    server,
    url: `http://${host}:${port}`,
    processors,
    stop: () =>
      shutdown(
        server,
        resources,
        services.flatMap((s) => (s.drain ? [s.drain] : [])),
      ),
  };
};

/** What services are built from, for a process's configuration and its opened store. */
export const serviceDeps = (
  config: Pick<ServiceConfig, 'schemaPrefix' | 'auth'> & Partial<Pick<ServiceConfig, 'logLevel'>>,
  opened: Pick<OpenedStore, 'store' | 'sql'>,
  registry: Registry,
  /** Where the log goes (default stdout), at `config.logLevel`. */
  destination?: DestinationStream,
): ServiceDeps => ({
  store: timedAppends(opened.store, registry),
  sql: opened.sql,
  readModelSchema: readModelSchemas(config.schemaPrefix),
  authenticator: createAuthenticator(config.auth),
  registry,
  log: logTo(
    createLogger({
      ...(config.logLevel === undefined ? {} : { level: config.logLevel }),
      ...(destination === undefined ? {} : { destination }),
    }),
  ),
});

/** The main of a process: config from the environment, store, services, signals. */
export const runProcess = async (
  build: (deps: ServiceDeps) => readonly ServiceDefinition[],
  defaults: {
    readonly port: number;
    readonly registry?: Registry;
    /** Closed after the processors, before the store (a producer the relay sends through). */
    readonly resources?: readonly Closeable[];
  },
): Promise<{ readonly url: string; readonly log: Log }> => {
  // .env first: loadConfig below then names every wrong variable of its codec at once.
  settingsOrExit(() => loadDotEnv());
  let config: ServiceConfig;
  try {
    config = loadConfig(process.env, defaults);
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'invalid configuration', error: String(error) }),
    );
    process.exit(1);
  }
  if (config.usingDevelopmentSecret) {
    console.error(
      JSON.stringify({ level: 'warn', msg: 'JWT_SECRET is not set: using the development secret' }),
    );
  }
  let opened: OpenedStore;
  try {
    opened = await openEventStore(config, { schema: config.eventStoreSchema });
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'cannot open the event store', error: String(error) }),
    );
    process.exit(1);
  }
  const registry = defaults.registry ?? new Registry();
  const deps = serviceDeps(config, opened, registry);
  const services = build(deps);
  if (config.otlpEndpoint !== undefined) {
    startTracing({
      endpoint: config.otlpEndpoint,
      // Each process its own name, so that a trace shows which one did what.
      serviceName: config.otelServiceName ?? `newsroom-${services.map((s) => s.name).join('-')}`,
    });
  }
  const starting = startSystem(deps, services, { ...config, registry }, [
    ...(defaults.resources ?? []),
    { name: 'event-store', close: opened.close },
  ]);
  // Signals are handled from the moment the port may answer: a SIGTERM while processors still
  // start (PGlite busy with their catch-up) waits for the start, then stops cleanly.
  shutdownOnSignals(async () => {
    const started = await starting.catch(() => undefined);
    try {
      await started?.stop();
    } finally {
      await stopTracing(); // the spans not yet sent, within a bound
    }
  });
  let system: RunningSystem;
  try {
    system = await starting;
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'cannot start', error: String(error) }));
    process.exit(1);
  }
  deps.log({
    level: 'info',
    msg: 'listening',
    url: system.url,
    services: services.map((s) => s.name),
    store: config.databaseUrl === undefined ? `pglite:${config.dataDir}` : 'postgresql',
  });
  return { url: system.url, log: deps.log };
};
