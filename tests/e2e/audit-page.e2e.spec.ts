/**
 * The audit web page in a real headless Chromium (Debian's, driven by playwright-core), on
 * PostgreSQL after the seed article's whole story: signing in with an auditor token, finding
 * the article by words of its headline in capitals, its timeline (who, when, what) and
 * integrity, a side-by-side diff of the published versions with "VIII" struck and "XIII"
 * marked, the whole store verified; the same page at 390 px wide with nothing wider than the
 * screen; an editor turned away. Screenshots are saved to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestSystem } from './harness.js';
import { launchChromium } from '../browser.js';
import { runSeedStory } from './seed-story-flow.js';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
const auditor = { role: 'auditor', sub: 'auditor.page' } as const;

describe('the audit web page', () => {
  const sys = useTestSystem('postgres');
  let browser: Browser;
  const articleId = randomUUID();
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    await runSeedStory(
      { url: () => sys.url, token: (role, sub) => sys.token(role as never, sub) },
      {
        articleId,
        scheduledId: randomUUID(),
        embargoedId: randomUUID(),
        section: `p-${randomUUID().slice(0, 8)}`,
      },
    );
    await sys.caughtUp();
    expect((await sys.post('/v1/audit/tree-heads', auditor)).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const signIn = async (width: number, role: 'auditor' | 'editor' = 'auditor') => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const first = await page.goto(`${sys.url}/audit`);
    expect(first?.status()).toBe(401);
    await page.fill('input[name=token]', await sys.token(role, `${role}.page`));
    await Promise.all([page.waitForEvent('load'), page.click('form.login button')]);
    return { context, page };
  };

  it('finds the article, shows its timeline and integrity, and diffs two versions side by side', async () => {
    const { context, page } = await signIn(1280);
    try {
      await page.fill('input[name=q]', 'HẢI PHÒNG PHẢI ĐI ĐẦU');
      await Promise.all([page.waitForURL(/\?q=/), page.click('form.search button')]);
      const link = page.locator(`table.found a[href="/audit/articles/${articleId}"]`);
      expect(await link.count()).toBe(1);
      await Promise.all([page.waitForURL(new RegExp(articleId)), link.click()]);

      const history = await sys.get(`/v1/audit/articles/${articleId}/history`, auditor);
      const rows = page.locator('table.timeline tbody tr');
      expect(await rows.count()).toBe(history.body.events.length);
      const firstRow = await rows.first().innerText();
      expect(firstRow).toMatch(/hoang\.tung/);
      expect(firstRow).toMatch(/DraftCreated\.v1/);
      expect(firstRow).toMatch(/\+07:00/);
      expect(await page.locator('[data-integrity=ok]').innerText()).toMatch(/Integrity verified/);
      expect(await page.locator('main').innerText()).toMatch(/Latest signed tree head #1/);
      await page.screenshot({ path: `${SHOTS}audit-article.png`, fullPage: true });

      await page.selectOption('select[name=from]', 'v1');
      await page.selectOption('select[name=to]', 'v2');
      await Promise.all([
        page.waitForURL(/diff\?from=v1&to=v2/),
        page.click('form.versions button'),
      ]);
      expect(await page.locator('.diff .from del').allInnerTexts()).toContain('VIII');
      expect(await page.locator('.diff .to ins').allInnerTexts()).toContain('XIII');
      const [left, right] = await Promise.all([
        page.locator('.diff .from').first().boundingBox(),
        page.locator('.diff .to').first().boundingBox(),
      ]);
      expect(right!.x).toBeGreaterThan(left!.x + left!.width - 1); // side by side
      await page.screenshot({ path: `${SHOTS}audit-diff.png`, fullPage: true });

      await page.goto(`${sys.url}/audit/verify`);
      expect(await page.locator('[data-integrity=ok]').innerText()).toMatch(/The record holds/);
    } finally {
      await context.close();
    }
    const png = readFileSync(`${SHOTS}audit-diff.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // The page's own requests are in the audit request log.
    const log = await sys.get(`/v1/audit/requests?actor=auditor.page&limit=100`, auditor);
    expect(log.body.items.map((r: { path: string }) => r.path)).toContain(
      `/audit/articles/${articleId}`,
    );
  });

  it('reads well at 390 px: one column, nothing wider than the screen', async () => {
    const { context, page } = await signIn(390);
    try {
      for (const path of [
        `/audit/articles/${articleId}`,
        `/audit/articles/${articleId}/diff?from=v1&to=v2`,
      ]) {
        await page.goto(`${sys.url}${path}`);
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(width, path).toBeLessThanOrEqual(390);
      }
      const [left, right] = await Promise.all([
        page.locator('.diff .from').first().boundingBox(),
        page.locator('.diff .to').first().boundingBox(),
      ]);
      expect(right!.y).toBeGreaterThanOrEqual(left!.y + left!.height - 1); // stacked
      await page.goto(`${sys.url}/audit/articles/${articleId}`);
      expect(await page.locator('table.timeline thead').isVisible()).toBe(false); // cards
      await page.screenshot({ path: `${SHOTS}audit-article-390.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('keeps its session cookie from scripts, sends a strict CSP and shows input as text', async () => {
    const { context, page } = await signIn(1024);
    try {
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'newsroom_audit');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/audit' });
      expect(await page.evaluate<string>('document.cookie')).not.toContain('newsroom_audit');

      const hostile = '"><img src=x id=injected><script>window.pwned=1</script>';
      const reply = await page.goto(`${sys.url}/audit?q=${encodeURIComponent(hostile)}`);
      expect(reply?.status()).toBe(200);
      const csp = reply!.headers()['content-security-policy'] ?? '';
      for (const rule of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"]) {
        expect(csp).toContain(rule);
      }
      expect(csp).not.toContain('unsafe-inline');
      expect(await page.locator('#injected').count()).toBe(0);
      expect(await page.inputValue('input[name=q]')).toBe(hostile); // shown, as text
      expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
    } finally {
      await context.close();
    }
    // A cookie this page never set (a broken percent-escape) is a sign-in page, not an error.
    const broken = await sys.request('GET', '/audit', {
      headers: { cookie: 'newsroom_audit=%E0%A4%A' },
    });
    expect(broken.status).toBe(401);
    expect(broken.text).toMatch(/Sign in to the audit/);
  });

  it('turns away an editor and a bad token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${sys.url}/audit`);
      await page.fill('input[name=token]', 'not-a-token');
      await page.click('form.login button');
      await expect.poll(() => page.locator('#login-error').innerText()).not.toBe('');
    } finally {
      await context.close();
    }
    const { context: editor, page: editorPage } = await signIn(1024, 'editor');
    try {
      const reply = await editorPage.goto(`${sys.url}/audit/articles/${articleId}`);
      expect(reply?.status()).toBe(403);
      expect(await editorPage.locator('main').innerText()).toMatch(/not editor/);
    } finally {
      await editor.close();
    }
  });
});
