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

  it('a connection that sends nothing is closed after the headers timeout', async () => {
    const port = await start();
    const { closed } = open(port);
    const { afterMs } = await closed;
    expect(afterMs).toBeLessThan(limits.headersTimeoutMs + 2_000);
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

  it('a client that goes silent in the middle of its body gets 408, and nothing it sends after counts', async () => {
    let handled = 0;
    const router = Router();
    router.post('/', (_req, res) => {
      handled++;
      res.json({});
    });
    const { app } = createApp({ routes: [['/echo', router]] });
    server = await listen(app, 0, '127.0.0.1', limits);
    const address = server.address();
    const { socket, closed } = open(typeof address === 'object' && address ? address.port : 0);
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a":',
    );
    // The rest of the body as soon as the 408 arrives: the socket is destroyed, so it reaches
    // no route (with the socket only ended, the body completed and the route ran).
    socket.once('data', () => socket.writable && socket.write('1}    '));
    const { text, afterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(afterMs).toBeLessThan(limits.requestTimeoutMs + 2_500);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(handled).toBe(0);
  });

  it('a command still being handled is not cut off, however long it takes', async () => {
    const router = Router();
    router.post('/', (_req, res) => void setTimeout(() => res.json({ done: true }), 2_500));
    const { app } = createApp({ routes: [['/slow', router]] });
    server = await listen(app, 0, '127.0.0.1', limits);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const reply = await fetch(`http://127.0.0.1:${port}/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await reply.json()).toEqual({ done: true });
  });
});
