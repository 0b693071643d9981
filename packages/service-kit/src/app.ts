import { randomUUID } from 'node:crypto';
import express from 'express';
import type {
  ErrorRequestHandler,
  Express,
  NextFunction,
  Request,
  Response,
  Router,
} from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { problem, sendProblem } from './problem.js';
import type { Problem } from './problem.js';
import { duplicateKey, invalidUtf8Offset } from './json-text.js';
import { startSpan } from './tracing.js';

/** A dependency the process needs to serve: answered by /readyz. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
  /** A failure that leaves the process serving (a failed seal): `/readyz` answers 200 with
   *  status `degraded` and the error, rather than 503. */
  readonly degradesOnly?: boolean;
}

export interface AppOptions {
  /** Routers mounted at their own prefixes, e.g. ['/v1/drafts', router]. */
  readonly routes: readonly (readonly [prefix: string, router: Router])[];
  readonly readiness?: readonly ReadinessCheck[];
  /** Largest accepted JSON body; larger gets 413. Default 1 MiB. */
  readonly bodyLimit?: string;
  readonly registry?: Registry;
  readonly log?: (line: Record<string, unknown>) => void;
}

const correlationIds = new WeakMap<Request, string>();

/** The correlation id of a request: the caller's `X-Correlation-Id` when sane, else a new uuid. */
export const correlationIdOf = (req: Request): string => correlationIds.get(req) ?? randomUUID();

const traceparents = new WeakMap<Request, string>();

/**
 * The request's W3C trace context as this service continues it: the caller's trace id and
 * flags, a span id of its own (https://www.w3.org/TR/trace-context/#mutating-the-traceparent-field);
 * undefined when the caller sent none, or one that is not valid (ignored, as the spec says).
 */
export const traceparentOf = (req: Request): string | undefined => traceparents.get(req);

/** What a caller's X-Correlation-Id must be to be kept (the API reference says it too). */
export const SANE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Health, readiness and metrics: logged at debug, no span. */
const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The route a request matched, as metrics and logs name it; a request a router's middleware
 *  answered (a missing token) is named by the router's prefix, never by its ids. */
const routeLabel = (req: Request): string => {
  const route = (req.route as { path?: string } | undefined)?.path;
  if (route !== undefined) return `${req.baseUrl}${route}`;
  return req.baseUrl === '' ? 'unmatched' : `${req.baseUrl}/*`;
};

const tooLarge = () => problem(413, 'Payload Too Large', 'the request body exceeds the size limit');

/** The problem a body check found (invalid UTF-8, a duplicate key), carried by body-parser. */
class BodyRefused extends Error {
  readonly type = 'newsroom.body.refused';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** Refuses, before parsing, what JSON.parse would silently change (see json-text.ts). */
const checkJsonBytes = (_req: Request, _res: Response, bytes: Buffer): void => {
  const offset = invalidUtf8Offset(bytes);
  if (offset !== -1) {
    throw new BodyRefused(
      problem(400, 'Invalid UTF-8', `the body is not valid UTF-8 at byte ${offset}`, {
        errors: [{ path: '', message: `invalid UTF-8 at byte offset ${offset}` }],
      }),
    );
  }
  const duplicate = duplicateKey(bytes);
  if (duplicate !== undefined) {
    throw new BodyRefused(
      problem(400, 'Duplicate Key', 'an object in the body names the same key twice', {
        errors: [{ path: duplicate.path, message: 'duplicate key' }],
      }),
    );
  }
};

const bodyErrorToProblem = (error: {
  type?: unknown;
  status?: unknown;
  message?: unknown;
  problem?: unknown;
}): Problem | undefined => {
  if (error instanceof BodyRefused) return error.problem;
  const message = String(error.message);
  switch (error.type) {
    case 'entity.too.large':
      return tooLarge();
    case 'entity.parse.failed':
      return problem(400, 'Malformed JSON', 'the request body is not valid JSON', {
        errors: [{ path: '', message }],
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'Unsupported Media Type', message);
    default:
      if (error instanceof URIError) {
        return problem(400, 'Malformed Path', 'the path has an invalid percent-encoding', {
          errors: [{ path: 'path', message }],
        });
      }
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? problem(error.status, 'Bad Request', message, { errors: [{ path: '', message }] })
        : undefined;
  }
};

/** `1mb`, `512kb`, `1048576`: the body limit in bytes. */
export const parseByteSize = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (match === null) throw new Error(`not a byte size: ${text}`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const scale = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b'];
  return Math.floor(Number(match[1]) * scale);
};

/** The express app every process serves: JSON body parsing with a size limit, correlation ids,
 *  health, readiness, Prometheus metrics, problem+json for every error. */
export const createApp = (options: AppOptions): { app: Express; registry: Registry } => {
  const registry = options.registry ?? new Registry();
  if (options.registry === undefined) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const log = options.log ?? (() => undefined);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // HTTP/1.1 requires Host (RFC 9112 section 3.2); the server lets it through to answer here.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const hosts = req.rawHeaders.filter((name, i) => i % 2 === 0 && /^host$/i.test(name)).length;
    if ((req.httpVersion === '1.1' && !req.headers.host) || hosts > 1) {
      res.setHeader('Connection', 'close');
      sendProblem(
        res,
        problem(400, 'Bad Host', 'an HTTP/1.1 request must have one Host header, not empty', {
          errors: [{ path: 'headers.host', message: hosts > 1 ? 'sent twice' : 'required' }],
        }),
      );
      return;
    }
    next();
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-correlation-id');
    const id = given !== undefined && SANE_CORRELATION_ID.test(given) ? given : randomUUID();
    correlationIds.set(req, id);
    res.setHeader('X-Correlation-Id', id);
    const probe = PROBES.has(req.path);
    // The request's span: its traceparent is what the request's events and messages carry.
    // Probes make none (a scrape every few seconds would bury the traces worth reading).
    const span = probe
      ? undefined
      : startSpan(req.method, {
          parent: req.header('traceparent')?.trim(),
          kind: 'server',
          attributes: { 'http.request.method': req.method, 'newsroom.correlation_id': id },
        });
    if (span !== undefined) traceparents.set(req, span.traceparent);
    const end = durations.startTimer();
    // 'close' comes after 'finish', and also when the connection ends first (a client gone, a
    // timeout, a live stream left): every request is counted, logged and its span ended.
    res.once('close', () => {
      const label = routeLabel(req);
      const aborted = !res.writableFinished;
      requests.inc({ method: req.method, route: label, status: String(res.statusCode) });
      const seconds = end({ method: req.method, route: label });
      log({
        level: aborted ? 'warn' : res.statusCode >= 500 ? 'error' : probe ? 'debug' : 'info',
        msg: 'request',
        method: req.method,
        route: label,
        status: res.statusCode,
        ms: Math.round(seconds * 1000 * 10) / 10,
        correlationId: id,
        ...(aborted ? { aborted } : {}),
        ...(span === undefined ? {} : { traceId: span.traceId }),
      });
      span?.rename(`${req.method} ${label}`);
      span?.set({ 'http.route': label, 'http.response.status_code': res.statusCode });
      span?.end(aborted || res.statusCode >= 500);
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      (options.readiness ?? []).map(async ({ name, check, degradesOnly }) => {
        try {
          await check();
          return { name, ok: true as const };
        } catch (error) {
          return {
            name,
            ok: false as const,
            ...(degradesOnly === true ? { degradesOnly } : {}),
            error: (error as Error).message,
          };
        }
      }),
    );
    const failed = results.filter((r) => !r.ok);
    const status =
      failed.length === 0
        ? 'ready'
        : failed.every((r) => 'degradesOnly' in r)
          ? 'degraded'
          : 'not ready';
    res.status(status === 'not ready' ? 503 : 200).json({ status, checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  // A declared length over the limit is refused at once, without waiting for the body (which
  // may never come), and the connection is closed rather than drained.
  const bodyLimit = options.bodyLimit ?? '1mb';
  const maxBodyBytes = parseByteSize(bodyLimit);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      res.setHeader('Connection', 'close');
      sendProblem(res, tooLarge());
      return;
    }
    next();
  });

  // A body that is not JSON in UTF-8 is refused before any route sees it. Another charset
  // (RFC 8259 section 8.1 allows none) would be decoded after the byte checks below.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      sendProblem(res, problem(415, 'Unsupported Media Type', 'send the body as application/json'));
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      sendProblem(
        res,
        problem(415, 'Unsupported Media Type', `JSON is sent in UTF-8, not ${charset}`),
      );
      return;
    }
    next();
  });
  app.use(
    express.json({
      // Counted after decompression: a small gzip body that inflates past it is refused too.
      limit: bodyLimit,
      strict: true,
      type: ['application/json', 'application/*+json'],
      verify: checkJsonBytes,
    }),
  );

  for (const [prefix, router] of options.routes) app.use(prefix, router);

  app.use((req: Request, res: Response) => {
    sendProblem(res, problem(404, 'Not Found', `no route for ${req.method} ${req.path}`));
  });

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const mapped = bodyErrorToProblem(
      error as { type?: unknown; status?: unknown; message?: unknown },
    );
    if (mapped !== undefined) {
      sendProblem(res, mapped);
      return;
    }
    log({
      level: 'error',
      msg: 'unhandled error',
      path: req.path,
      correlationId: correlationIdOf(req),
      error: String((error as Error)?.stack ?? error),
    });
    if (res.headersSent) return;
    sendProblem(res, problem(500, 'Internal Server Error', 'the request could not be completed'));
  };
  app.use(onError);

  return { app, registry };
};
