/**
 * The six processes as separate OS processes, talking only through the store and a real Kafka
 * broker, started once for the suite: drafting, review, audit, two publishing processes (their
 * scheduler fires once), two syndication processes in one consumer group (the partitions split
 * between them), two relays (one active). The seed story runs through them and again on
 * `npm start`'s one process, which must show the same read models; then 200 publications with
 * a syndication process killed in the middle and another started, every effect counted once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAdmin,
  groupAssignments,
  groupLag,
  kafkaFromEnv,
  waitFor,
} from '@newsroom/messaging';
import { signToken, startServiceProcess } from '../support.js';
import { startTestCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { runSeedStory } from './seed-story-flow.js';
import { checkAgainstTheirOwn, recordingFetch } from '../openapi/check.js';
import type { Exchange } from '../openapi/check.js';
import { seedContent } from './seed-article.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

describe('the system as separate processes over Kafka', () => {
  let cluster: TestCluster;
  let pool: pg.Pool;
  const story = {
    articleId: randomUUID(),
    scheduledId: randomUUID(),
    embargoedId: randomUUID(),
    section: `story ${randomUUID()}`,
  };
  let overKafka: Awaited<ReturnType<typeof runSeedStory>> | undefined;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    cluster = await startTestCluster({
      databaseUrl: DATABASE_URL,
      brokers: BROKERS,
      instances: { publishing: 2, syndication: 2, relay: 2 },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await pool?.end();
  });

  it('runs the seed story across the processes: queue, scheduler, syndication and audit', async () => {
    const exchanges: Exchange[] = [];
    overKafka = await runSeedStory(
      {
        url: (service) => cluster.url(service),
        token: cluster.token,
        fetch: recordingFetch((e) => exchanges.push(e)),
      },
      story,
    );
    // Each process answered as the API reference it serves says.
    expect(new Set(exchanges.map((e) => e.origin)).size).toBeGreaterThanOrEqual(5);
    expect(await checkAgainstTheirOwn(exchanges)).toEqual([]);
    expect(overKafka.history.events.map((e: { type: string }) => e.type)).toEqual([
      'DraftCreated.v1',
      'SubmittedForReview.v1',
      'ReviewerAssigned.v1',
      'ChangesRequested.v1',
      'DraftRevised.v1',
      'SubmittedForReview.v1',
      'DraftRevised.v1',
      'ArticleApproved.v1',
      'ArticlePublished.v1',
      'CorrectionDrafted.v1',
      'CorrectionApproved.v1',
      'CorrectionPublished.v1',
    ]);
    expect(overKafka.history.events.map((e: { actor: { id: string } }) => e.actor.id)).toEqual([
      'hoang.tung',
      'hoang.tung',
      'editor.a',
      'editor.a',
      'hoang.tung',
      'hoang.tung',
      'editor.a',
      'editor.b',
      'publisher.p',
      'hoang.tung',
      'editor.a',
      'publisher.p',
    ]);
    // Exactly one publishing process ran the scheduler; both serve commands.
    const active = await Promise.all(
      cluster.instances('publishing').map((p) => fetch(`${p.url}/metrics`).then((r) => r.text())),
    );
    expect(
      active.map((m) => /^processor_active\{processor="publishing.scheduler"\} 1$/m.test(m)).sort(),
    ).toEqual([false, true]);
  });

  it('gives the same read models and history on npm start (one process, embedded transport)', async () => {
    expect(overKafka, 'the story over Kafka ran first').toBeDefined();
    const dataDir = mkdtempSync(join(tmpdir(), 'newsroom-start-'));
    const secret = randomUUID();
    const system = await startServiceProcess('services/platform/src/main.ts', {
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      DATABASE_URL: '',
      TRANSPORT: 'embedded',
    });
    try {
      const embedded = await runSeedStory(
        { url: () => system.url, token: (role, sub) => signToken(secret, role, sub) },
        story,
      );
      expect(embedded.readModels).toEqual(overKafka!.readModels);
      expect(embedded.audit).toEqual(overKafka!.audit);
    } finally {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('applies 200 publications once each, with a syndication process killed midway and the group split', async () => {
    const section = `bulk ${randomUUID()}`;
    const token = (role: string, sub: string) => cluster.token(role, sub);
    const [reporter, editor, publisher] = await Promise.all([
      token('reporter', 'reporter.bulk'),
      token('editor', 'editor.bulk'),
      token('publisher', 'publisher.bulk'),
    ]);
    const post = async (
      service: 'drafting' | 'review' | 'publishing',
      path: string,
      as: string,
      body: unknown,
    ) => {
      const response = await fetch(`${cluster.url(service)}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
      await response.arrayBuffer();
    };
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const inParallel = async (
      n: number,
      items: readonly string[],
      work: (id: string) => Promise<void>,
    ) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: n }, async () => {
          for (let i = next++; i < items.length; i = next++) await work(items[i]!);
        }),
      );
    };
    const content = { ...seedContent(), section };
    await inParallel(8, ids, async (id) => {
      await post('drafting', '/v1/drafts', reporter, { articleId: id, data: { content } });
      await post('drafting', `/v1/drafts/${id}/submit`, reporter, {});
      await post('review', `/v1/reviews/${id}/approve`, editor, {});
    });

    const [victim, survivor] = cluster.instances('syndication');
    const admin = await connectAdmin(kafkaFromEnv({ clientId: 'cluster-e2e-admin' }), {
      brokers: [BROKERS],
    });
    const group = `newsroom:${cluster.schema}:${cluster.schema}_syndication:syndication.public-articles`;
    /** Each member's partitions once the group is stable with two members holding some. */
    const splitInTwo = () =>
      waitFor(
        async () => {
          const members = Object.values(await groupAssignments(admin, group, cluster.topic));
          return members.length === 2 && members.every((p) => p.length > 0) && members;
        },
        60_000,
        { description: 'the syndication group split between two members', intervalMs: 250 },
      );
    const applied = async (url: string, outcome = 'applied') => {
      const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
      const m = new RegExp(
        `^processor_events_total\\{processor="syndication.public-articles",outcome="${outcome}"\\} (\\d+)$`,
        'm',
      ).exec(metrics);
      return Number(m?.[1] ?? 0);
    };
    const publish = (from: number, to: number) =>
      inParallel(4, ids.slice(from, to), async (id) => {
        await post('publishing', `/v1/publications/${id}/publish`, publisher, {
          data: { mode: 'now' },
        });
      });
    try {
      // 1. Both members hold partitions and the victim has applied some publications.
      expect((await splitInTwo()).flat().sort()).toEqual([0, 1, 2]);
      await publish(0, 70);
      await waitFor(async () => (await applied(victim!.url)) > 0, 30_000, {
        description: 'the victim to apply publications',
        intervalMs: 100,
      });
      // 2. Killed with no shutdown of any kind, while publications go on.
      await cluster.kill(victim!);
      await publish(70, 130);
      // 3. Another member joins and the work splits again.
      const joined = await cluster.start('syndication');
      // Once it holds partitions of its own (a rebalance takes a moment), the rest goes out.
      expect((await splitInTwo()).flat().sort()).toEqual([0, 1, 2]);
      await publish(130, 200);

      // Every publication in the read model (the relay has put them all on the topic), then
      // the group has committed the whole topic: no redelivery is left to come, so the count
      // taken now stays right.
      const s = `"${cluster.schema}_syndication"`;
      await waitFor(
        async () => {
          const { rows } = await pool.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM ${s}.public_articles
              WHERE article_id = ANY($1::uuid[]) AND status = 'published'`,
            [ids],
          );
          return rows[0]!.n === '200';
        },
        90_000,
        { description: '200 publications in the syndication read model', intervalMs: 200 },
      );
      await waitFor(
        async () => (await groupLag(admin, group, cluster.topic).catch(() => -1)) === 0,
        90_000,
        {
          description: 'the syndication group to commit the whole topic',
          intervalMs: 200,
        },
      );
      const { rows } = await pool.query<{ rows: string; changes: string; distinct: string }>(
        `SELECT (SELECT count(*) FROM ${s}.public_articles WHERE article_id = ANY($1::uuid[]) AND status = 'published')::text AS rows,
                (SELECT count(*) FROM ${s}.public_changes WHERE article_id = ANY($1::uuid[]))::text AS changes,
                (SELECT count(DISTINCT article_id) FROM ${s}.public_changes WHERE article_id = ANY($1::uuid[]))::text AS distinct`,
        [ids],
      );
      // Every publication applied once: one effect each, never two (marks absorb redeliveries).
      expect(rows[0]).toEqual({ rows: '200', changes: '200', distinct: '200' });
      // Both live members did part of the work after the kill.
      expect(await applied(survivor!.url)).toBeGreaterThan(0);
      expect(await applied(joined.url)).toBeGreaterThan(0);
      const feed = await fetch(
        `${survivor!.url}/v1/feeds/articles?section=${encodeURIComponent(section)}&limit=100`,
      ).then((r) => r.json() as Promise<{ items: unknown[]; next?: string }>);
      expect(feed.items).toHaveLength(100);
      expect(feed.next).toBeDefined();
      // How many redeliveries the kill caused (absorbed above); informative, it varies per run.
      const duplicates = await Promise.all(
        [survivor!, joined].map((p) => applied(p.url, 'duplicate')),
      );
      console.log(JSON.stringify({ syndicationKill: { publications: 200, duplicates } }));
    } finally {
      await admin.disconnect();
    }
  }, 300_000);
});
