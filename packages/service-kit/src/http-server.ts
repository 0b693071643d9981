/**
 * The HTTP server under the express app, with the limits a public endpoint needs: header, body
 * and idle timeouts (a client trickling one byte every few seconds is cut off), a connection
 * cap, and problem+json for the errors Node's HTTP parser answers before express sees anything.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { PROBLEM_CONTENT_TYPE, problemType } from '@newsroom/contracts';

export interface ServerLimits {
  /** The whole request, headers and body, must arrive within this (408 otherwise). */
  readonly requestTimeoutMs: number;
  /** The request line and headers must arrive within this (a connection that sends nothing is
   *  closed then); at most `requestTimeoutMs`. */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections the process holds at once; more are refused. */
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
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

/** A raw HTTP/1.1 problem+json answer, for what is refused before express runs. */
const rawProblem = (status: number, title: string, message: string): string => {
  const body = JSON.stringify({
    type: problemType(title.replace(/\s+/g, '')),
    title,
    status,
    detail: message,
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

/** The answer to what Node's parser refused: express never ran. */
export const clientErrorResponse = (error: {
  readonly code?: string | undefined;
  readonly reason?: string | undefined;
}): string => {
  const { status, title } = parserProblem(error.code);
  return rawProblem(
    status,
    title,
    `${error.code ?? 'HTTP parse error'}: ${error.reason ?? 'the request could not be parsed'}`,
  );
};

/**
 * Answers on a socket the server gives up on, then destroys it, as Node's own handler does:
 * only destroying it stops the parser, so a 408 can never be followed by the rest of the body
 * reaching a route and writing. While an earlier (pipelined) request on the socket is still
 * being answered, nothing is written: the client would take this answer for that request's
 * (whose command may be stored); that answer is let finish, then the socket is closed.
 */
const refuse = (socket: Duplex, answer: string, ownRequest = false): void => {
  type InFlight = { _headerSent?: boolean; once(event: string, f: () => void): unknown };
  const inFlight = (socket as { _httpMessage?: InFlight | null })._httpMessage ?? undefined;
  if (inFlight === undefined || (ownRequest && inFlight._headerSent !== true)) {
    if (socket.writable) socket.write(answer);
    socket.destroy();
    return;
  }
  const close = () => socket.destroy();
  inFlight.once('finish', close);
  inFlight.once('close', close);
};

/** Serves `app` on a new server with `limits`; not yet listening. */
export const createHttpServer = (
  app: Express,
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Server => {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would double them).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      // A request without Host is answered by express below, as problem+json.
      requireHostHeader: false,
    },
    app,
  );
  // No idle timeout on the socket: it would also cut a request off while its command is being
  // handled. The header, request and keep-alive timeouts above bound every wait for a client.
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET') socket.destroy();
    // A request timeout refuses the request in flight itself; a parse error, the next one.
    else refuse(socket, clientErrorResponse(error), error.code === 'ERR_HTTP_REQUEST_TIMEOUT');
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({
      type: problemType('ExpectationFailed'),
      title: 'Expectation Failed',
      status: 417,
      detail: `Expect: ${req.headers.expect ?? ''} is not supported`,
    });
    res.writeHead(417, {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    refuse(socket, rawProblem(405, 'Method Not Allowed', 'CONNECT is not served here')),
  );
  return server;
};
