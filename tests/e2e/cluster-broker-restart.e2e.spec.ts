/**
 * The broker stopped and started again while the newsroom keeps working: the processes run on
 * a broker of their own (the shared one keeps serving the other tests), commands go on being
 * accepted (the store is the system of record), the review process is killed meanwhile and
 * started again, and once the broker is back the relay, the review queue and the syndication
 * read model catch up with everything, each entry once.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, groupLag, kafkaFromEnv, waitFor } from '@newsroom/messaging';
import { freePort } from '../support.js';
import { startTestCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { seedContent } from './seed-article.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('every process catches up after the broker is stopped and started again', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'newsroom-kafka-'));
  let brokerEnv: Record<string, string>;
  let cluster: TestCluster | undefined;
  let pool: pg.Pool;
  const broker = (script: string, extra: Record<string, string> = {}) =>
    execFileSync('bash', [`infra/kafka/${script}`], {
      env: { ...process.env, ...brokerEnv, ...extra },
      stdio: 'ignore',
      timeout: 150_000, // a script that never returns fails the test
    });

  beforeAll(async () => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    brokerEnv = {
      KAFKA_RUN_DIR: runDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
    };
    broker('start.sh');
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    cluster = await startTestCluster({
      databaseUrl: DATABASE_URL,
      brokers: `127.0.0.1:${port}`,
      instances: { audit: 0 },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await pool?.end();
    broker('stop.sh');
    rmSync(runDir, { recursive: true, force: true });
  });

  it(
    'loses nothing: the queue and the public articles hold every article once',
    {
      timeout: 300_000,
    },
    async () => {
      const c = cluster!;
      const section = `restart ${randomUUID()}`;
      const [reporter, editor, publisher] = await Promise.all([
        c.token('reporter', 'reporter.r'),
        c.token('editor', 'editor.r'),
        c.token('publisher', 'publisher.r'),
      ]);
      const post = async (
        service: 'drafting' | 'review' | 'publishing',
        path: string,
        as: string,
        body: unknown = {},
      ) => {
        const response = await fetch(`${c.url(service)}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
        await response.arrayBuffer();
      };
      // Even articles wait in review; odd ones go out (none while review is down).
      const inReview: string[] = [];
      const published: string[] = [];
      const article = async (i: number, reviewDown: boolean) => {
        const id = randomUUID();
        await post('drafting', '/v1/drafts', reporter, {
          articleId: id,
          data: { content: { ...seedContent(), section } },
        });
        await post('drafting', `/v1/drafts/${id}/submit`, reporter);
        if (i % 2 === 0 || reviewDown) return void inReview.push(id);
        await post('review', `/v1/reviews/${id}/approve`, editor);
        await post('publishing', `/v1/publications/${id}/publish`, publisher, {
          data: { mode: 'now' },
        });
        published.push(id);
      };
      let n = 0;
      const batch = async (count: number, reviewDown = false) => {
        for (const end = n + count; n < end; n++) await article(n, reviewDown);
      };

      await batch(20);
      broker('stop.sh');
      // Meanwhile the review process dies too (SIGKILL) and comes back after the broker.
      await c.kill(c.instances('review')[0]!);
      await batch(20, true); // commands are accepted while the broker is away
      broker('start.sh', { KAFKA_RESUME: '1' });
      await c.start('review');
      await batch(10);

      const s = (service: string) => `"${c.schema}_${service}"`;
      await waitFor(
        async () => {
          const { rows } = await pool.query<{ queue: string; public: string }>(
            `SELECT (SELECT count(*) FROM ${s('review')}.review_queue
                    WHERE article_id = ANY($1::uuid[]) AND status = 'pending')::text AS queue,
                  (SELECT count(*) FROM ${s('syndication')}.public_articles
                    WHERE article_id = ANY($2::uuid[]) AND status = 'published')::text AS public`,
            [inReview, published],
          );
          return (
            rows[0]!.queue === String(inReview.length) &&
            rows[0]!.public === String(published.length)
          );
        },
        120_000,
        { description: 'every article in the queue and the public articles', intervalMs: 250 },
      );
      // Counted once both groups have committed the whole topic: no redelivery is left to come.
      const admin = await connectAdmin(
        kafkaFromEnv({ clientId: 'restart-e2e-admin', env: { KAFKA_BROKERS: c.brokers } }),
        {
          brokers: [c.brokers],
        },
      );
      try {
        for (const [service, processor] of [
          ['review', 'review.queue'],
          ['syndication', 'syndication.public-articles'],
        ] as const) {
          const group = `newsroom:${c.schema}:${c.schema}_${service}:${processor}`;
          await waitFor(
            async () => (await groupLag(admin, group, c.topic).catch(() => -1)) === 0,
            60_000,
            {
              description: `${group} to commit the whole topic`,
              intervalMs: 250,
            },
          );
        }
      } finally {
        await admin.disconnect();
      }
      const queued = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${s('review')}.review_queue WHERE article_id = ANY($1::uuid[])`,
        [inReview],
      );
      expect(queued.rows[0]!.n).toBe('35');
      const { rows } = await pool.query<{ changes: string; distinct: string }>(
        `SELECT count(*)::text AS changes, count(DISTINCT article_id)::text AS distinct
         FROM ${s('syndication')}.public_changes WHERE article_id = ANY($1::uuid[])`,
        [published],
      );
      expect(inReview).toHaveLength(35);
      expect(rows[0]).toEqual({ changes: '15', distinct: '15' });
      // Ready again, every process: their /readyz answers once they caught up with the broker.
      for (const name of ['relay', 'review', 'syndication', 'publishing', 'drafting'] as const) {
        await c.instances(name)[0]!.ready(60_000);
      }
    },
  );
});
