/**
 * A real HTTP receiver for webhook tests, on 127.0.0.1: it verifies each request's signature
 * with the `standardwebhooks` library (independent of the sender's code) against the secrets
 * it is given, records what came, and answers what the test scripts (a status, headers, a
 * delay) per request.
 */
import { createServer } from 'node:http';

import { Webhook } from 'standardwebhooks';
import { arrivals } from './arrivals.js';

export interface Received {
  readonly webhookId: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  /** Which of the secrets verified it (undefined: none did). */
  readonly verifiedBy?: number;
  /** What this receiver answered. */
  readonly answered: number;
  /** The W3C trace context it came with, if any. */
  readonly traceparent?: string;
  readonly at: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Secrets to verify with (a rotation adds one). */
  readonly secrets: string[];
  /** The answer to the next requests, in order; then `otherwise`. */
  script: Answer[];
  otherwise: Answer;
  /** Resolves once `predicate` holds for what was received. */
  readonly until: (
    predicate: (r: readonly Received[]) => boolean,
    timeoutMs?: number,
  ) => Promise<void>;
  readonly close: () => Promise<void>;
}

export const startReceiver = async (path = '/hook'): Promise<Receiver> => {
  const received: Received[] = [];
  const arrived = arrivals(received, 'receiver');

  const receiver: Receiver = {
    url: '',
    received,
    secrets: [],
    script: [],
    otherwise: { status: 204 },
    until: (predicate, timeoutMs = 15_000) => arrived.until(predicate, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verifiedBy = receiver.secrets.findIndex((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const answer = receiver.script.shift() ?? receiver.otherwise;
      const respond = () => {
        received.push({
          webhookId: headers['webhook-id'],
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
          body,
          ...(verifiedBy >= 0 ? { verifiedBy } : {}),
          ...(typeof req.headers.traceparent === 'string'
            ? { traceparent: req.headers.traceparent }
            : {}),
          answered: answer.status,
          at: performance.now(),
        });
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
        arrived.notify();
      };
      if (req.url !== path) {
        res.writeHead(404).end();
        return;
      }
      if (answer.delayMs === undefined) respond();
      else setTimeout(respond, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  (receiver as { url: string }).url = `http://127.0.0.1:${port}${path}`;
  return receiver;
};
