/**
 * `npm start` as a newcomer meets it: its real entry as a child process on PGlite in a fresh
 * data folder (no DATABASE_URL), with no JWT_SECRET. Once ready it prints the links and how to
 * get a development token; `GET /` is an index page with the same links, and every one of them
 * answers (the public ones 200, the ones that need a token 401, never a 404 or a 5xx). Given
 * a .env with wrong values, it names every wrong variable in one line and exits 1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@newsroom/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKS } from '../../services/platform/src/home.js';
import { startServiceProcess } from '../support.js';
import type { ServiceProcess } from '../support.js';

describe('npm start, first run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newsroom-home-'));
  const logFile = join(dir, 'out.log');
  let system: ServiceProcess;
  beforeAll(async () => {
    system = await startServiceProcess(
      'services/platform/src/main.ts',
      { DATABASE_URL: '', JWT_SECRET: '', DATA_DIR: join(dir, 'data') },
      { logFile },
    );
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the links and how to get a token once it is ready', async () => {
    const ready = await waitFor(
      async () =>
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { msg: string; banner?: string[] })
          .find((entry) => entry.msg === 'ready'),
      30_000,
      { description: 'the ready line', intervalMs: 100 },
    );
    const text = ready.banner!.join('\n');
    expect(text).toContain(`newsroom is ready at ${system.url}/`);
    for (const [, links] of LINKS)
      for (const l of links) expect(text).toContain(system.url + l.path);
    expect(text).toMatch(/a development token: npm run -s newsroom -- token --role/);
    expect(readFileSync(logFile, 'utf8')).toMatch(
      /JWT_SECRET is not set: using the development secret/,
    );
  });

  it('answers GET / with an index page whose every link answers', async () => {
    const home = await fetch(`${system.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await home.text();
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    const pages = LINKS.flatMap(([, links]) => links.filter((l) => !l.post));
    expect(hrefs).toEqual(pages.map((l) => l.path));
    for (const l of pages) {
      const controller = new AbortController(); // the live stream never ends by itself
      const reply = await fetch(`${system.url}${l.path}`, { signal: controller.signal });
      controller.abort();
      expect(reply.status, l.path).toBe(l.token === undefined ? 200 : 401);
    }
    for (const l of LINKS.flatMap(([, links]) => links.filter((k) => k.post))) {
      expect(html).toContain(`<code>POST ${l.path}/…</code>`);
    }
  });

  it('with a .env of wrong values, names every one in one line and exits 1', async () => {
    const file = join(dir, 'wrong.env');
    writeFileSync(file, 'PORT=99999\nSTREAM_MAX_CLIENTS=0\nAUDIT_TREE_POLL_MS=soon\n');
    const started = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'services/platform/src/main.ts'],
      // Only what node needs: the test's own environment could hold variables of its own.
      { env: { PATH: process.env['PATH'] ?? '', ENV_FILE: file, DATA_DIR: join(dir, 'never') } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(started.code).toBe(1);
    const lines = started.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'error',
      msg: 'invalid configuration',
      error:
        'Error: invalid environment: PORT must be a port number 0-65535; ' +
        'STREAM_MAX_CLIENTS must be a whole number 1..1000000; ' +
        'AUDIT_TREE_POLL_MS must be a whole number 10..60000',
    });
  });
});
