/**
 * Every answer of the e2e story against the API reference the process serves: the seed
 * article's whole story (tests/e2e/seed-story-flow.ts), then a tour of every endpoint the
 * story does not reach and of the refusals clients meet (tour.ts). Each answer's status, media
 * type and body must be what `/openapi.json` says, and every operation it names must have
 * been answered at least once: the reference describes what runs, all of it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syndicationConfig } from '@newsroom/syndication';
import { runSeedStory } from '../e2e/seed-story-flow.js';
import { useTestSystem } from '../e2e/harness.js';
import { openApiChecker, recordingFetch } from './check.js';
import type { Exchange } from './check.js';
import { operationsOf } from './routes-of.js';
import { tourTheAudit } from './tour-audit.js';
import { tourTheNewsroom } from './tour.js';

describe('the API reference against every answer of the e2e story', () => {
  const sys = useTestSystem('pglite', undefined, {
    syndication: syndicationConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }),
  });

  it('describes each answer, and every operation it names is answered', async () => {
    const document = (await (await fetch(`${sys.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const checker = openApiChecker(document);
    const exchanges: Exchange[] = [];
    const recorded = recordingFetch((e) => exchanges.push(e));
    const token = (role: string, sub: string) => sys.token(role as never, sub);
    const articleId = randomUUID();
    await runSeedStory(
      { url: () => sys.url, token, fetch: recorded },
      {
        articleId,
        scheduledId: randomUUID(),
        embargoedId: randomUUID(),
        section: `ref-${randomUUID().slice(0, 8)}`,
      },
    );
    const api = { url: sys.url, fetch: recorded, token };
    const delivered = await tourTheNewsroom(api, articleId);
    await sys.caughtUp();
    await tourTheAudit(api, articleId);

    const problems = exchanges.flatMap((e) => checker.check(e));
    expect(problems).toEqual([]);
    // What receivers got: the subscription's callback, as the document describes it.
    const callback = [
      ...['paths', '/v1/subscriptions', 'post', 'callbacks', 'articleChange'],
      ...['{$request.body#/url}', 'post', 'requestBody', 'content', 'application/json', 'schema'],
    ];
    expect(delivered.length).toBeGreaterThanOrEqual(4);
    expect(delivered.flatMap((body) => checker.problemsAt(callback, JSON.parse(body)))).toEqual([]);
    expect(exchanges.length).toBeGreaterThan(150);
    const unanswered = operationsOf(document).filter((op) => !checker.exercised().has(op));
    expect(unanswered).toEqual([]);
  });
});
