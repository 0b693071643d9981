/**
 * `/docs` in a real headless Chromium (Debian's, driven by playwright-core): Swagger UI, served
 * by the process itself with nothing fetched from elsewhere, lists every operation of
 * `/openapi.json` and opens one to show its request body's schema, read off the codec. Under
 * its Content-Security-Policy the page runs: no script is refused. A screenshot is saved to
 * test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestSystem } from './harness.js';
import { launchChromium } from '../browser.js';
import { operationsOf } from '../openapi/routes-of.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
const HOST = 'reference.newsroom.test';

describe('the API reference page', () => {
  const sys = useTestSystem('pglite');
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A name that is not loopback's (Swagger UI acts differently on localhost), resolved to
    // it: no traffic leaves the machine.
    browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists every operation and shows a command body as its codec reads it', async () => {
    const document = (await (await fetch(`${sys.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const elsewhere: string[] = [];
    const refused: string[] = [];
    const origin = sys.url.replace('127.0.0.1', HOST);
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') refused.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) refused.push(`${r.status()} ${r.url()}`);
    });
    try {
      const answer = await page.goto(`${origin}/docs`);
      expect(answer?.status()).toBe(200);
      expect(answer?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
      const operations = page.locator('.opblock');
      await operations.first().waitFor({ timeout: 15_000 });
      expect(await operations.count()).toBe(operationsOf(document).length);
      expect(await page.locator('.info .title').innerText()).toMatch(/Newsroom/);

      const revise = page.locator('#operations-drafting-ReviseDraft');
      await revise.locator('.opblock-summary').click();
      await revise.locator('.opblock-body').waitFor();
      // The body's schema, as the codec reads it: its name and its two properties.
      const requestBody = revise.locator('.opblock-section-request-body');
      await requestBody.locator('button[data-name="model"]').click();
      const model = requestBody.locator('.model-box').first();
      await model.waitFor();
      expect(await model.innerText()).toMatch(/ReviseDraftRequest/);
      const expanded = await model.innerText(); // its first level open
      expect(expanded).toMatch(/commandId/);
      expect(expanded).toMatch(/data/);
      await page.screenshot({ path: `${SHOTS}api-docs.png`, fullPage: false });
      expect(elsewhere).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
