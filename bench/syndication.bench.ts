/**
 * Syndication from the outside, on `npm start`'s process (every service, the store's own log)
 * on PostgreSQL at DATABASE_URL, with the public topic on the broker at KAFKA_BROKERS:
 *
 * - latency at a steady RATE publications/s (default 20) for SECONDS (default 20): from the
 *   publish command's response to a webhook verified (standardwebhooks) at a local receiver,
 *   to the message on the public topic and to the event on the live stream; p50, p99;
 * - fan-out: one publication to FANOUT webhook subscriptions (default 1,000; local receivers),
 *   time until every one has it (goal under 2 s);
 * - CLIENTS live-stream clients (default 2,000) at once: time from the publish response until
 *   each has the event, over ROUNDS publications (default 5); p50, p99 (goal p99 under 1 s);
 * - feed requests/s for FEED_SECONDS (default 5) at 16 concurrent clients, with and without
 *   If-None-Match, against a bare node:http server returning the same bytes (the ceiling;
 *   goal at least 0.5 of it).
 *
 * Prints one JSON document.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { Webhook } from 'standardwebhooks';
import { connectAdmin, createTopic, kafkaFromEnv } from '../packages/messaging/src/index.js';
import { dropSystemSchemas, signToken, startServiceProcess } from '../tests/support.js';
import { readPublicTopic } from '../tests/channels/public-topic.js';
import { seedContent } from '../tests/e2e/seed-article.js';
import { percentile, round } from './timing.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RATE = Number(process.env.RATE ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 20);
const FANOUT = Number(process.env.FANOUT ?? 1000);
const CLIENTS = Number(process.env.CLIENTS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const FEED_SECONDS = Number(process.env.FEED_SECONDS ?? 5);

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5), 2),
    p99: round(percentile(sorted, 0.99), 2),
    max: round(sorted[sorted.length - 1] ?? NaN, 2),
  };
};

/** A receiver for many subscriptions (a path each), verifying every signature. */
const startReceivers = async () => {
  const secrets = new Map<string, Webhook>();
  const arrivals = new Map<string, { path: string; at: number; type: string; uri: string }[]>();
  let unverified = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      try {
        secrets.get(path)?.verify(body, req.headers as Record<string, string>);
        const payload = JSON.parse(body) as { type: string; data: { uri: string } };
        const list = arrivals.get(payload.data.uri) ?? [];
        list.push({ path, at: performance.now(), type: payload.type, uri: payload.data.uri });
        arrivals.set(payload.data.uri, list);
      } catch {
        unverified++;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    secrets,
    arrivals,
    unverified: () => unverified,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Live-stream clients on raw fetch: the time each first sees an event for a URI. */
const openStreams = async (url: string, n: number, dispatcher: Agent) => {
  const seen = new Map<string, number[]>();
  const controllers: AbortController[] = [];
  const open = async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(url, { signal: controller.signal, dispatcher });
    if (response.status !== 200) throw new Error(`stream: ${response.status}`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (data === undefined) continue;
            const uri = (JSON.parse(data) as { data: { uri: string } }).data.uri;
            const list = seen.get(uri) ?? [];
            list.push(performance.now());
            seen.set(uri, list);
          }
        }
      } catch {
        // aborted at the end
      }
    })();
  };
  for (let i = 0; i < n; i += 100)
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, open));
  return { seen, close: () => controllers.forEach((c) => c.abort()) };
};

const main = async () => {
  const schema = `bench_${randomUUID().replace(/-/g, '')}`;
  const secret = randomUUID() + randomUUID();
  const kafka = kafkaFromEnv({ clientId: 'bench-syndication', logLevel: 'nothing' });
  const topic = `bench.syndication.${randomUUID()}`;
  const admin = await connectAdmin(kafka);
  await createTopic(admin, topic, 3);
  const system = await startServiceProcess('services/platform/src/main.ts', {
    DATABASE_URL,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    JWT_SECRET: secret,
    PUBLIC_TOPIC: 'true',
    SYNDICATION_TOPIC: topic,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    STREAM_MAX_CLIENTS: String(CLIENTS + 100),
    MAX_CONNECTIONS: String(CLIENTS + 1000),
    KAFKA_LOG_LEVEL: 'nothing',
  });
  const dispatcher = new Agent({ connections: CLIENTS + 200, pipelining: 0 });
  const receivers = await startReceivers();
  const tokens = Object.fromEntries(
    await Promise.all(
      ['reporter', 'editor', 'publisher'].map(async (r) => [
        r,
        `Bearer ${await signToken(secret, r, `bench.${r}`)}`,
      ]),
    ),
  ) as Record<string, string>;
  const post = async (path: string, role: string, body: unknown) => {
    const response = await fetch(`${system.url}${path}`, {
      method: 'POST',
      headers: { authorization: tokens[role]!, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, string>;
  };
  const approved = async (n: number, section: string) => {
    const ids = Array.from({ length: n }, () => randomUUID());
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < ids.length; i = next++) {
          const id = ids[i]!;
          await post('/v1/drafts', 'reporter', {
            articleId: id,
            data: { content: { ...seedContent(), section } },
          });
          await post(`/v1/drafts/${id}/submit`, 'reporter', {});
          await post(`/v1/reviews/${id}/approve`, 'editor', {});
        }
      }),
    );
    return ids;
  };
  const subscribe = async (path: string, section: string) => {
    const created = await post('/v1/subscriptions', 'publisher', {
      url: receivers.url(path),
      sections: [section],
    });
    receivers.secrets.set(path, new Webhook(created['secret']!));
  };
  const publish = (id: string) =>
    post(`/v1/publications/${id}/publish`, 'publisher', { data: { mode: 'now' } });
  const uri = (id: string) => `urn:newsroom:article:${id}`;
  const until = async (check: () => boolean, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };
  const reader = await readPublicTopic(kafka, topic);
  const result: Record<string, unknown> = {};
  try {
    // 1. Steady publications: webhook, topic and stream latencies.
    const steady = `steady ${randomUUID()}`;
    await subscribe('/steady', steady);
    const stream = await openStreams(
      `${system.url}/v1/stream?section=${encodeURIComponent(steady)}`,
      1,
      dispatcher,
    );
    const ids = await approved(RATE * SECONDS, steady);
    const answered = new Map<string, number>();
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (const [n, id] of ids.entries()) {
      const wait = t0 + (n * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sends.push(publish(id).then(() => void answered.set(id, performance.now())));
    }
    await Promise.all(sends);
    await until(
      () => ids.every((id) => receivers.arrivals.has(uri(id)) && stream.seen.has(uri(id))),
      60_000,
    );
    const topicAt = new Map(reader.messages.map((m) => [m.key, m.at] as const));
    await until(() => ids.every((id) => reader.messages.some((m) => m.key === uri(id))), 30_000);
    for (const m of reader.messages) if (!topicAt.has(m.key)) topicAt.set(m.key, m.at);
    const from = (at: (id: string) => number | undefined) =>
      ids.flatMap((id) => {
        const [a, b] = [answered.get(id), at(id)];
        return a === undefined || b === undefined ? [] : [b - a];
      });
    stream.close();
    result['steady'] = {
      publications: ids.length,
      rate: RATE,
      webhookVerifiedMs: stats(from((id) => receivers.arrivals.get(uri(id))?.[0]?.at)),
      publicTopicMs: stats(from((id) => topicAt.get(uri(id)))),
      streamMs: stats(from((id) => stream.seen.get(uri(id))?.[0])),
      unverified: receivers.unverified(),
    };

    // 2. Fan-out to FANOUT subscriptions.
    const wide = `fanout ${randomUUID()}`;
    for (let i = 0; i < FANOUT; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, FANOUT - i) }, (_, k) =>
          subscribe(`/fan/${i + k}`, wide),
        ),
      );
    }
    const [fanId] = await approved(1, wide);
    await publish(fanId!);
    const published = performance.now();
    await until(() => (receivers.arrivals.get(uri(fanId!))?.length ?? 0) >= FANOUT, 60_000);
    const fan = receivers.arrivals.get(uri(fanId!)) ?? [];
    result['fanOut'] = {
      subscriptions: FANOUT,
      delivered: new Set(fan.map((a) => a.path)).size,
      allDeliveredMs: round(Math.max(...fan.map((a) => a.at)) - published, 1),
      p50Ms: stats(fan.map((a) => a.at - published)).p50,
      goalMs: 2000,
    };

    // 3. CLIENTS live-stream clients.
    const crowd = `crowd ${randomUUID()}`;
    const streams = await openStreams(
      `${system.url}/v1/stream?section=${encodeURIComponent(crowd)}`,
      CLIENTS,
      dispatcher,
    );
    const crowdIds = await approved(ROUNDS, crowd);
    const perClient: number[] = [];
    let allMs = 0;
    for (const id of crowdIds) {
      await publish(id);
      const at = performance.now();
      await until(() => (streams.seen.get(uri(id))?.length ?? 0) >= CLIENTS, 30_000);
      const times = (streams.seen.get(uri(id)) ?? []).map((t) => t - at);
      perClient.push(...times);
      allMs = Math.max(allMs, ...times);
      await new Promise((r) => setTimeout(r, 200));
    }
    streams.close();
    result['stream'] = {
      clients: CLIENTS,
      publications: ROUNDS,
      perClientMs: stats(perClient),
      worstAllMs: round(allMs, 1),
      goalP99Ms: 1000,
    };

    // 4. Feed requests/s, against the bare ceiling.
    const feedPath = `/v1/feeds/atom.xml?section=${encodeURIComponent(steady)}`;
    const sample = await fetch(`${system.url}${feedPath}`, { dispatcher });
    const bytes = await sample.text();
    const etag = sample.headers.get('etag') ?? '';
    const dir = mkdtempSync(join(os.tmpdir(), 'bench-feed-'));
    writeFileSync(join(dir, 'feed.xml'), bytes);
    const bare = await startServiceProcess('bench/bare-server.ts', {
      BODY_FILE: join(dir, 'feed.xml'),
      BODY_TYPE: sample.headers.get('content-type') ?? '',
      BODY_ETAG: etag,
    });
    const hammer = async (url: string, headers: Record<string, string>) => {
      let n = 0;
      const end = performance.now() + FEED_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < end) {
            const r = await fetch(url, { headers, dispatcher });
            await r.arrayBuffer();
            n++;
          }
        }),
      );
      return Math.round(n / FEED_SECONDS);
    };
    const service = await hammer(`${system.url}${feedPath}`, {});
    const ceiling = await hammer(`${bare.url}${feedPath}`, {});
    const service304 = await hammer(`${system.url}${feedPath}`, { 'if-none-match': etag });
    const ceiling304 = await hammer(`${bare.url}${feedPath}`, { 'if-none-match': etag });
    await bare.stop();
    rmSync(dir, { recursive: true, force: true });
    result['feeds'] = {
      bytes: Buffer.byteLength(bytes),
      requestsPerSecond: { service, bare: ceiling, ratio: round(service / ceiling, 2) },
      notModifiedPerSecond: {
        service: service304,
        bare: ceiling304,
        ratio: round(service304 / ceiling304, 2),
      },
      goalRatio: 0.5,
    };
  } finally {
    await reader.stop();
    await receivers.close();
    await system.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await dropSystemSchemas(DATABASE_URL, schema);
    await dispatcher.close();
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'syndication',
        machine: { cpus: os.cpus().length, node: process.version },
        ...result,
      },
      null,
      2,
    ),
  );
};

await main();
