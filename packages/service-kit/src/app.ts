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
import { markMount, observeRequests, SANE_CORRELATION_ID } from './observe-requests.js';

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

export { SANE_CORRELATION_ID };

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
      // Its message is said only when it is meant for the client (body-parser's are).
      if (typeof error.status !== 'number' || error.status < 400 || error.status >= 500)
        return undefined;
      return (error as { expose?: unknown }).expose === false
        ? problem(error.status, 'Bad Request', 'the request could not be read')
        : problem(error.status, 'Bad Request', message, { errors: [{ path: '', message }] });
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

  // First: every request, refused or not, gets its correlation id, its span, its count and its
  // log line.
  app.use(
    observeRequests({
      requests,
      durations,
      log,
      correlate: (req, id) => correlationIds.set(req, id),
      trace: (req, traceparent) => traceparents.set(req, traceparent),
    }),
  );

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

  for (const [prefix, router] of options.routes) app.use(prefix, markMount(prefix), router);

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
    // Too late for an answer (a stream under way): end the connection rather than leave it.
    if (res.headersSent) return void res.destroy(error as Error);
    sendProblem(res, problem(500, 'Internal Server Error', 'the request could not be completed'));
  };
  app.use(onError);

  return { app, registry };
};
