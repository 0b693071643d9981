/**
 * The server's limits on a real socket: a body trickled byte by byte is cut off with 408
 * problem+json, a silent connection is closed, and connections past the cap are refused.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { DEFAULT_SERVER_LIMITS } from './http-server.js';
import { listen } from './lifecycle.js';

const limits = {
  ...DEFAULT_SERVER_LIMITS,
  requestTimeoutMs: 1_500,
  headersTimeoutMs: 1_000,
  idleTimeoutMs: 1_000,
  maxConnections: 3,
};

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const start = async (l = limits) => {
  const router = Router();
  router.post('/', (req, res) => void res.json({ got: req.body }));
  const { app } = createApp({ routes: [['/echo', router]] });
  server = await listen(app, 0, '127.0.0.1', l);
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
};

/** Opens a socket and collects what the server sends until it closes the connection. */
const open = (port: number) => {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) => {
    const t0 = Date.now();
    socket.on('close', () => resolve({ text: received, afterMs: Date.now() - t0 }));
  });
  return { socket, closed };
};

describe('the HTTP server limits', () => {
  it('a body trickled one byte at a time gets 408 problem+json within the request timeout', async () => {
    const port = await start();
    const { socket, closed } = open(port);
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const { text, afterMs } = await closed;
    clearInterval(trickle);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(afterMs).toBeLessThan(limits.requestTimeoutMs + 3_000);
  });

  it('a connection that sends nothing is closed after the idle timeout', async () => {
    const port = await start();
    const { closed } = open(port);
    const { afterMs } = await closed;
    expect(afterMs).toBeLessThan(limits.headersTimeoutMs + limits.idleTimeoutMs + 2_500);
  });

  it('connections past the cap are refused while the first ones stay open', async () => {
    const port = await start();
    const held = [open(port), open(port), open(port)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = open(port);
    const { text, afterMs } = await extra.closed;
    expect(text).toBe('');
    expect(afterMs).toBeLessThan(500); // dropped at once, not after a timeout
    expect(held.every((h) => !h.socket.destroyed)).toBe(true);
  });

  it('a client that goes silent in the middle of its body is cut off after the idle timeout', async () => {
    const port = await start({ ...limits, requestTimeoutMs: 60_000, headersTimeoutMs: 1_000 });
    const { socket, closed } = open(port);
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    const { afterMs } = await closed;
    expect(afterMs).toBeLessThan(limits.idleTimeoutMs + 2_000);
  });
});
