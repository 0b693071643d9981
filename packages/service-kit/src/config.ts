import * as t from 'io-ts';
import { LOG_LEVELS } from './logger.js';
import type { LogLevel } from './logger.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { AuthConfig } from './auth.js';
import { DEFAULT_SERVER_LIMITS } from './http-server.js';
import type { ServerLimits } from './http-server.js';

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** Secret used when no JWT_SECRET or JWKS_URL is set outside production. Documented in the README. */
export const DEVELOPMENT_JWT_SECRET = 'newsroom-development-secret-do-not-use-in-production';

/** A whole number of at least `min` from an environment variable. */
export const intFromString = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d{1,15}$/.test(u) ? Number(u) : NaN;
      return Number.isInteger(n) && n >= min && n <= max
        ? t.success(n)
        : t.failure(u, c, `a whole number ${min}..${max}`);
    },
    String,
  );

const PortFromString = new t.Type<number, string, unknown>(
  'Port',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    const n = typeof u === 'string' && /^\d{1,5}$/.test(u) ? Number(u) : NaN;
    return Number.isInteger(n) && n >= 0 && n <= 65535
      ? t.success(n)
      : t.failure(u, c, 'a port number 0-65535');
  },
  String,
);

/** Text from an environment variable that must match `pattern`; `expected` says what it is. */
export const textMatching = (name: string, pattern: RegExp, expected: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' && pattern.test(u) ? t.success(u) : t.failure(u, c, expected)),
    String,
  );

/** An http(s) URL with a host and no query or fragment (`/v1/traces` is put after it). */
const isCollectorUrl = (text: string): boolean => {
  try {
    const url = new URL(text);
    return (
      /^https?:$/.test(url.protocol) && url.hostname !== '' && url.search === '' && url.hash === ''
    );
  } catch {
    return false;
  }
};

/** A Kafka topic name from an environment variable. */
export const TopicNameFromString = textMatching(
  'TopicName',
  /^[a-zA-Z0-9._-]{1,249}$/,
  'a Kafka topic name',
);

/** The environment a process reads, decoded once at start-up (one codec for this boundary). */
export const Environment = t.partial({
  PORT: PortFromString,
  HOST: t.string,
  DATABASE_URL: t.string,
  DATA_DIR: t.string,
  JWT_SECRET: t.string,
  JWKS_URL: t.string,
  JWT_ISSUER: t.string,
  JWT_AUDIENCE: t.string,
  BODY_LIMIT: t.string,
  NODE_ENV: t.string,
  EVENT_STORE_SCHEMA: t.string,
  SCHEMA_PREFIX: t.string,
  SEAL_INTERVAL_MS: intFromString('SealIntervalMs', 100, 86_400_000), // setInterval's range
  MAX_CONNECTIONS: intFromString('MaxConnections', 1),
  REQUEST_TIMEOUT_MS: intFromString('RequestTimeoutMs', 1_000),
  STANDBY_POLL_MS: intFromString('StandbyPollMs', 10, 60_000),
  TRANSPORT: t.keyof({ embedded: null, kafka: null }),
  ARTICLE_EVENTS_TOPIC: TopicNameFromString,
  LOG_LEVEL: t.keyof(
    Object.fromEntries(LOG_LEVELS.map((l) => [l, null])) as Record<LogLevel, null>,
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: new t.Type<string, string, unknown>(
    'OtlpEndpoint',
    (u): u is string => typeof u === 'string',
    (u, c) =>
      typeof u === 'string' && isCollectorUrl(u)
        ? t.success(u)
        : t.failure(u, c, 'an http(s) URL of an OTLP collector, e.g. http://127.0.0.1:4318'),
    String,
  ),
  OTEL_SERVICE_NAME: t.string,
});
export type Environment = t.TypeOf<typeof Environment>;

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL URL; when absent the process runs on PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly auth: AuthConfig;
  readonly bodyLimit: string;
  readonly usingDevelopmentSecret: boolean;
  /** The event store's schema (default `event_store`). */
  readonly eventStoreSchema: string;
  /** Prefixed to every service's read-model schema (`<prefix>_publishing`); none by default. */
  readonly schemaPrefix: string | undefined;
  /** How often the process seals the store's log (SEAL_INTERVAL_MS, default 60 000). */
  readonly sealIntervalMs: number;
  /** Timeouts and the connection cap of the HTTP server (MAX_CONNECTIONS, REQUEST_TIMEOUT_MS). */
  readonly serverLimits: ServerLimits;
  /** How often a standby processor tries for its lock (STANDBY_POLL_MS, default 500). */
  readonly standbyPollMs: number;
  /** Where processors read article events (TRANSPORT: embedded, the default, or kafka). */
  readonly transport: 'embedded' | 'kafka';
  /** The article-events topic (ARTICLE_EVENTS_TOPIC, default newsroom.article-events.v1). */
  readonly articleEventsTopic: string;
  /** How much the process logs (LOG_LEVEL, default info). */
  readonly logLevel: LogLevel;
  /** An OTLP/HTTP collector that gets the process's trace spans (OTEL_EXPORTER_OTLP_ENDPOINT;
   *  none by default: no spans are made). */
  readonly otlpEndpoint: string | undefined;
  /** The service name spans carry (OTEL_SERVICE_NAME, default `newsroom-<its services>`). */
  readonly otelServiceName: string | undefined;
}

/** The set variables (an empty one counts as unset). */
const setVariables = (env: Readonly<Record<string, string | undefined>>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

/**
 * Every variable `codec` refuses in `env`, each as "NAME must be <what it must be>": the value
 * is never repeated (it may be a secret or a password in a URL).
 */
export const environmentProblems = (
  codec: t.Any,
  env: Readonly<Record<string, string | undefined>>,
): string[] => {
  const decoded = codec.decode(setVariables(env));
  return isLeft(decoded) ? problemsOf(decoded.left) : [];
};

const problemsOf = (errors: t.Errors): string[] => {
  const problems = errors.map((e) => {
    const name = e.context
      .map((c) => c.key)
      .filter(Boolean)
      .join('.');
    const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'valid';
    return `${name} must be ${expected}`;
  });
  return [...new Set(problems)];
};

/** The variables `codec` reads (empty ones as unset), or one error naming every wrong one. */
export const decodeEnvironment = <C extends t.Any>(
  codec: C,
  env: Readonly<Record<string, string | undefined>>,
): t.TypeOf<C> => {
  const decoded = codec.decode(setVariables(env));
  if (isLeft(decoded)) {
    throw new Error(`invalid environment: ${problemsOf(decoded.left).join('; ')}`);
  }
  return decoded.right as t.TypeOf<C>;
};

/**
 * Fills `env` from a dotenv file: `ENV_FILE` when set (it must exist), else `.env` in `dir`
 * when there is one. A variable already set wins over the file. Returns the file read.
 */
export const loadDotEnv = (
  env: Record<string, string | undefined> = process.env,
  dir: string = process.cwd(),
): string | undefined => {
  const named = env['ENV_FILE'] || undefined; // an empty one is unset, as everywhere
  const file = named === undefined ? join(dir, '.env') : resolve(dir, named);
  if (!existsSync(file)) {
    if (named !== undefined) throw new Error(`ENV_FILE: no file at ${file}`);
    return undefined;
  }
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[key] === undefined || env[key] === '') env[key] = value;
  }
  return file;
};

/**
 * At a process's start: `.env` read into the environment, then every codec the process reads
 * checked at once, so one message lists every wrong variable; on a problem, that message is
 * logged (no stack trace) and the process exits 1.
 */
export const environmentOrExit = (codecs: readonly t.Any[]): void =>
  settingsOrExit(() => {
    loadDotEnv();
    const problems = [...new Set(codecs.flatMap((c) => environmentProblems(c, process.env)))];
    if (problems.length > 0) throw new Error(`invalid environment: ${problems.join('; ')}`);
  });

/** A service's settings at start-up; when they are wrong, the error logged and exit 1. */
export const settingsOrExit = <A>(read: () => A): A => {
  try {
    return read();
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'invalid configuration', error: String(error) }),
    );
    process.exit(1);
  }
};

export const loadConfig = (
  env: Record<string, string | undefined> = process.env,
  defaults: { readonly port: number } = { port: 8080 },
): ServiceConfig => {
  const e = decodeEnvironment(Environment, env);
  const claims = {
    ...(e.JWT_ISSUER === undefined ? {} : { issuer: e.JWT_ISSUER }),
    ...(e.JWT_AUDIENCE === undefined ? {} : { audience: e.JWT_AUDIENCE }),
  };
  const production = e.NODE_ENV === 'production';
  const host = e.HOST ?? '127.0.0.1';
  if (e.JWT_SECRET === undefined && e.JWKS_URL === undefined) {
    // The development secret is in this repository: anyone could sign an admin token with it.
    if (production) throw new Error('set JWKS_URL (or JWT_SECRET) in production');
    if (!LOOPBACK.has(host)) {
      throw new Error(
        `set JWT_SECRET or JWKS_URL to listen on ${host}: the development secret is public`,
      );
    }
  }
  if (e.JWT_SECRET !== undefined && e.JWT_SECRET.length < 32) {
    throw new Error('JWT_SECRET must be at least 32 characters');
  }
  if (e.JWKS_URL !== undefined && (e.JWT_AUDIENCE === undefined || e.JWT_ISSUER === undefined)) {
    // Tokens from a shared identity provider must be meant for this service.
    throw new Error('with JWKS_URL, set JWT_ISSUER and JWT_AUDIENCE too');
  }
  if (e.TRANSPORT === 'kafka' && e.DATABASE_URL === undefined) {
    // PGlite is one process's database: no relay could put its log on the topic.
    throw new Error('TRANSPORT=kafka needs DATABASE_URL (a PostgreSQL server the relay reads too)');
  }
  const auth: AuthConfig =
    e.JWKS_URL !== undefined
      ? { kind: 'jwks', jwksUrl: e.JWKS_URL, ...claims }
      : { kind: 'hs256', secret: e.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET, ...claims };
  return {
    port: e.PORT ?? defaults.port,
    host,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? '.data',
    auth,
    bodyLimit: e.BODY_LIMIT ?? '1mb',
    usingDevelopmentSecret: e.JWKS_URL === undefined && e.JWT_SECRET === undefined,
    eventStoreSchema: e.EVENT_STORE_SCHEMA ?? 'event_store',
    schemaPrefix: e.SCHEMA_PREFIX,
    sealIntervalMs: e.SEAL_INTERVAL_MS ?? 60_000,
    standbyPollMs: e.STANDBY_POLL_MS ?? 500,
    transport: e.TRANSPORT ?? 'embedded',
    articleEventsTopic: e.ARTICLE_EVENTS_TOPIC ?? 'newsroom.article-events.v1',
    logLevel: e.LOG_LEVEL ?? 'info',
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    otelServiceName: e.OTEL_SERVICE_NAME,
    serverLimits: {
      ...DEFAULT_SERVER_LIMITS,
      ...(e.MAX_CONNECTIONS === undefined ? {} : { maxConnections: e.MAX_CONNECTIONS }),
      ...(e.REQUEST_TIMEOUT_MS === undefined ? {} : { requestTimeoutMs: e.REQUEST_TIMEOUT_MS }),
    },
  };
};
