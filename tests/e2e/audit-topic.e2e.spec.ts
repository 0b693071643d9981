/**
 * The audit process on its own (an OS process, its key from AUDIT_SIGNING_KEY_FILE) seals at
 * its interval and sends each tree head to the public topic, where outsiders keep them: key
 * `tree-head:<origin>`, header `event-type: tree-head`, the signed note in the value, the same
 * as the feed of tree heads serves. On the real broker and PostgreSQL.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, createTopic, kafkaFromEnv } from '@newsroom/messaging';
import { verifyNote } from '@newsroom/event-store';
import { readPublicTopic } from '../channels/public-topic.js';
import { startTestCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { databaseUrl } from './harness.js';
import { seedContent } from './seed-article.js';

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const kafka = kafkaFromEnv({ clientId: 'audit-topic-e2e', logLevel: 'nothing' });
const origin = 'newsroom.test/audit-topic';

describe('tree heads on the public topic', () => {
  let cluster: TestCluster;
  let topic: string;
  const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
  const key = generateKeyPairSync('ed25519');
  beforeAll(async () => {
    topic = `e2e.syndication.${randomUUID()}`;
    const admin = await connectAdmin(kafka);
    await createTopic(admin, topic, 3);
    await admin.disconnect();
    const keyFile = join(dir, 'audit.pem');
    writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    cluster = await startTestCluster({
      databaseUrl: databaseUrl(),
      brokers: BROKERS,
      instances: { review: 0, publishing: 0, syndication: 0, relay: 0 },
      env: {
        PUBLIC_TOPIC: 'true',
        SYNDICATION_TOPIC: topic,
        AUDIT_SIGNING_KEY_FILE: keyFile,
        AUDIT_LOG_ORIGIN: origin,
        AUDIT_SEAL_INTERVAL_MS: '300',
        AUDIT_TREE_POLL_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends each signed tree head there, as the feed has it', async () => {
    const reader = await readPublicTopic(kafka, topic);
    try {
      const token = await cluster.token('reporter', 'reporter.t');
      const made = await fetch(`${cluster.url('drafting')}/v1/drafts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ articleId: randomUUID(), data: { content: seedContent() } }),
      });
      expect(made.status).toBe(201);
      await reader.until((m) => m.some((x) => x.headers['event-type'] === 'tree-head'));
      const heads = reader.messages.filter((m) => m.headers['event-type'] === 'tree-head');
      const [first] = heads;
      expect(first!.key).toBe(`tree-head:${origin}`);
      expect(first!.document).toMatchObject({
        schema: 'newsroom.tree-head.v1',
        origin,
        number: 1,
        treeSize: 1,
      });
      expect(first!.headers['tree-head-number']).toBe('1');
      const note = String(first!.document['note']);
      expect(verifyNote(note, origin, key.publicKey).ok).toBe(true);
      const feed = await fetch(`${cluster.url('audit')}/v1/audit/tree-heads?limit=100`);
      const items = ((await feed.json()) as { items: { number: number; note: string }[] }).items;
      expect(items.find((h) => h.number === 1)?.note).toBe(note);
    } finally {
      await reader.stop();
    }
  });
});
