/**
 * What every request leaves behind, whatever answered it: its correlation id (the caller's
 * when sane, echoed), its span of the caller's trace, its count and duration in /metrics, and
 * one log line once it ends, on 'close', which comes after 'finish' and also when the
 * connection ends first (a client gone, a timeout), so that none goes unseen.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { Log } from './logger.js';
import { startSpan } from './tracing.js';

/** What a caller's X-Correlation-Id must be to be kept (the API reference says it too). */
export const SANE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Health, readiness and metrics: logged at debug, no span (a scrape every few seconds would
 *  bury the lines and traces worth reading). */
const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
const isProbe = (path: string): boolean => PROBES.has(path.toLowerCase().replace(/(.)\/$/, '$1'));

/** Methods by name; any other (PROPFIND...) is `_OTHER`, as OpenTelemetry names them: labels
 *  a caller cannot multiply. */
const METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);
const methodLabel = (method: string): string => (METHODS.has(method) ? method : '_OTHER');

const mounts = new WeakMap<Request, string>();

/** Marks a request with the prefix of the router it enters, as configured (the router matches
 *  any letter case; a label must not). */
export const markMount =
  (prefix: string): RequestHandler =>
  (req, _res, next) => {
    mounts.set(req, prefix.replace(/\/$/, ''));
    next();
  };

/** The route a request matched, as metrics and logs name it: its router's prefix and its
 *  route's pattern, never the ids in the path; a request a router's middleware answered (a
 *  missing token) is `<prefix>/*`. */
export const routeLabel = (req: Request): string => {
  const mount = mounts.get(req) ?? '';
  const route = (req.route as { path?: string } | undefined)?.path;
  if (route !== undefined) return `${mount}${route}`;
  return mount === '' ? 'unmatched' : `${mount}/*`;
};

/** A request line's level: probes at debug, what never ended at warn, a 5xx at error. */
const levelOf = (probe: boolean, aborted: boolean, status: number | undefined): string =>
  probe ? 'debug' : aborted ? 'warn' : status !== undefined && status >= 500 ? 'error' : 'info';

export interface ObserveOptions {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly durations: Histogram<'method' | 'route'>;
  readonly log: Log;
  readonly correlate: (req: Request, id: string) => void;
  readonly trace: (req: Request, traceparent: string) => void;
}

export const observeRequests =
  (o: ObserveOptions): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-correlation-id');
    const id = given !== undefined && SANE_CORRELATION_ID.test(given) ? given : randomUUID();
    o.correlate(req, id);
    res.setHeader('X-Correlation-Id', id);
    const probe = isProbe(req.path);
    const method = methodLabel(req.method);
    // The request's span: its traceparent is what the request's events and messages carry.
    const span = probe
      ? undefined
      : startSpan(method, {
          parent: req.header('traceparent')?.trim(),
          kind: 'server',
          attributes: { 'http.request.method': method, 'newsroom.correlation_id': id },
        });
    if (span !== undefined) o.trace(req, span.traceparent);
    const started = performance.now();
    res.once('close', () => {
      const label = routeLabel(req);
      const answered = res.headersSent;
      // A live stream ends when its client leaves: that is its normal end, not an abort.
      const stream = String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
      const aborted = !res.writableFinished && !(stream && answered);
      const status = answered ? String(res.statusCode) : 'aborted';
      o.requests.inc({ method, route: label, status });
      const seconds = (performance.now() - started) / 1000;
      if (!stream) o.durations.observe({ method, route: label }, seconds);
      o.log({
        level: levelOf(probe, aborted, answered ? res.statusCode : undefined),
        msg: 'request',
        method,
        route: label,
        status: answered ? res.statusCode : null,
        ms: Math.round(seconds * 1000 * 10) / 10,
        correlationId: id,
        ...(aborted ? { aborted } : {}),
        ...(stream && answered && !res.writableFinished ? { ended: 'client' } : {}),
        ...(span === undefined ? {} : { traceId: span.traceId }),
      });
      span?.rename(`${method} ${label}`);
      span?.set({
        'http.route': label,
        ...(answered ? { 'http.response.status_code': res.statusCode } : {}),
      });
      span?.end(aborted || (answered && res.statusCode >= 500));
    });
    next();
  };
