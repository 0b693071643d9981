/**
 * The process log as an operator reads it: one JSON object per line, the level by name, an ISO
 * time, and each request's correlation id and trace id, so that a request's line is found from
 * the id its caller sent or the answer's X-Correlation-Id.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Router } from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStore, serviceDeps, startSystem } from './runtime.js';
import type { OpenedStore, RunningSystem } from './runtime.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

let opened: OpenedStore | undefined;
let system: RunningSystem | undefined;

afterEach(async () => {
  await system?.stop();
  await opened?.close();
  system = opened = undefined;
});

/** A system with one route that fails, logging into `lines`. */
const start = async (lines: Record<string, unknown>[], level?: 'warn') => {
  opened = await openEventStore({ databaseUrl: undefined, dataDir: 'memory://' });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const deps = serviceDeps(
    {
      schemaPrefix: undefined,
      auth: { kind: 'hs256', secret: 'x'.repeat(64) },
      ...(level === undefined ? {} : { logLevel: level }),
    },
    opened,
    new Registry(),
    sink,
  );
  const router = Router();
  router.get('/boom', () => {
    throw new Error('a bug');
  });
  router.get('/ok', (_req, res) => void res.json({ ok: true }));
  router.get('/slow', (_req, res) => void setTimeout(() => res.end(), 1_000));
  system = await startSystem(deps, [{ name: 'probe', routes: [['/probe', router]] }], { port: 0 });
  return system.url;
};

describe('the process log', () => {
  it('has a JSON line per request with its correlation id and trace id', async () => {
    const lines: Record<string, unknown>[] = [];
    const url = await start(lines);
    const answer = await fetch(`${url}/probe/ok`, {
      headers: { 'x-correlation-id': 'req-42', traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    });
    expect(answer.headers.get('x-correlation-id')).toBe('req-42');
    const failed = await fetch(`${url}/probe/boom`);
    expect(failed.status).toBe(500);
    const generated = failed.headers.get('x-correlation-id');

    const request = lines.find((l) => l['msg'] === 'request' && l['correlationId'] === 'req-42');
    expect(request).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/probe/ok',
      status: 200,
      traceId: TRACE,
      pid: process.pid,
    });
    expect(new Date(String(request!['time'])).toISOString()).toBe(request!['time']);
    // The failure: its error line and its request line, both under the id the caller was given.
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'unhandled error',
        correlationId: generated,
        error: expect.stringContaining('a bug'),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'request',
        status: 500,
        correlationId: generated,
      }),
    );
  });

  it('logs a request whose client went away, and probes below info', async () => {
    const lines: Record<string, unknown>[] = [];
    const url = await start(lines);
    await expect(
      fetch(`${url}/probe/slow`, {
        headers: { 'x-correlation-id': 'gone-1' },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    await fetch(`${url}/healthz`, { headers: { 'x-correlation-id': 'probe-1' } });
    await expect
      .poll(() => lines.find((l) => l['correlationId'] === 'gone-1'))
      .toMatchObject({
        level: 'warn',
        msg: 'request',
        route: '/probe/slow',
        aborted: true,
        status: null, // no answer went out
      });
    expect(lines.find((l) => l['correlationId'] === 'probe-1')).toBeUndefined(); // debug
  });

  it('names a route as configured whatever letters the caller used, and logs a refused Host', async () => {
    const lines: Record<string, unknown>[] = [];
    const url = await start(lines);
    await fetch(`${url}/PrObE/oK`, { headers: { 'x-correlation-id': 'case-1' } });
    expect(lines.find((l) => l['correlationId'] === 'case-1')).toMatchObject({
      route: '/probe/ok',
      status: 200,
    });
    // An HTTP/1.1 request without Host: refused before any route, and still logged.
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.end('GET /probe/ok HTTP/1.1\r\nX-Correlation-Id: nohost-1\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await expect
      .poll(() => lines.find((l) => l['correlationId'] === 'nohost-1'))
      .toMatchObject({ msg: 'request', status: 400 });
  });

  it('leaves out what is below LOG_LEVEL', async () => {
    const lines: Record<string, unknown>[] = [];
    const url = await start(lines, 'warn');
    await fetch(`${url}/healthz`);
    await fetch(`${url}/probe/boom`);
    expect(lines.filter((l) => l['msg'] === 'request').map((l) => l['status'])).toEqual([500]);
    expect(lines.every((l) => l['level'] === 'warn' || l['level'] === 'error')).toBe(true);
  });
});
