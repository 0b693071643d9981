/**
 * The HTTP server under the express app, with the limits a public endpoint needs: header, body
 * and idle timeouts (a client trickling one byte every few seconds is cut off), a connection
 * cap, and problem+json for the errors Node's HTTP parser answers before express sees anything.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { PROBLEM_CONTENT_TYPE, problemType } from '@newsroom/contracts';

export interface ServerLimits {
  /** The whole request, headers and body, must arrive within this (408 otherwise). */
  readonly requestTimeoutMs: number;
  /** The request line and headers must arrive within this. */
  readonly headersTimeoutMs: number;
  /** A connection with no traffic at all is closed after this. */
  readonly idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections the process holds at once; more are refused. */
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/** What Node's parser refused, as status and title. */
const parserProblem = (code: string | undefined): { status: number; title: string } => {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, title: 'Request Header Fields Too Large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, title: 'Request Timeout' };
    default:
      return { status: 400, title: 'Malformed Request' };
  }
};

/** A raw HTTP/1.1 answer written on the socket: Node's parser gave up, express never ran. */
export const clientErrorResponse = (error: {
  readonly code?: string | undefined;
  readonly reason?: string | undefined;
}): string => {
  const { status, title } = parserProblem(error.code);
  const message = `${error.code ?? 'HTTP parse error'}: ${error.reason ?? 'the request could not be parsed'}`;
  const body = JSON.stringify({
    type: problemType(title.replace(/\s+/g, '')),
    title,
    status,
    detail: 'the HTTP request could not be read',
    ...(status === 400 ? { errors: [{ path: 'request', message }] } : {}),
  });
  return (
    `HTTP/1.1 ${status} ${title}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
};

/** Serves `app` on a new server with `limits`; not yet listening. */
export const createHttpServer = (
  app: Express,
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Server => {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would double them).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    app,
  );
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error));
  });
  return server;
};
