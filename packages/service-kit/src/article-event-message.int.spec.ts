/**
 * The Kafka article-event message made from real stored rows (PGlite): it survives JSON, its
 * codec reads it back as made, and it carries what an auditor needs to recompute the store's
 * hash chain from the message alone.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArticleEventMessage,
  articleEventMessage,
  articleIdOfStream,
  decodeStoredArticleEvent,
  formatValidationErrors,
} from '@newsroom/contracts';
import type { ArticleCommand } from '@newsroom/contracts';
import {
  canonicalEvent,
  createPostgresEventStore,
  eventHash,
  pgliteDriver,
  ZERO_HASH,
} from '@newsroom/event-store';
import type { PostgresEventStore } from '@newsroom/event-store';
import { articleSpec, articleStreamName } from './articles.js';
import { handleCommand } from './command-handler.js';
import { articleCommandRequest, sampleContent } from './testing.js';

const reporter = { id: 'reporter.m', role: 'reporter' } as const;

describe('the article-event message', () => {
  let db: PGlite;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await PGlite.create();
    store = await createPostgresEventStore({ driver: pgliteDriver(db) });
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
  });

  const send = async (articleId: string, type: ArticleCommand['type'], data: unknown) => {
    const result = await handleCommand(
      articleSpec(store),
      articleCommandRequest(articleId, type, data, reporter),
    );
    expect(E.isRight(result)).toBe(true);
  };

  it('is made from stored rows, survives JSON, and lets the hash chain be recomputed', async () => {
    const articleId = randomUUID();
    await send(articleId, 'CreateDraft', { content: sampleContent });
    await send(articleId, 'SubmitForReview', {});
    const rows = await store.readStream(articleStreamName(articleId));
    const messages = rows.map((row) => {
      const decoded = decodeStoredArticleEvent(row);
      if (E.isLeft(decoded)) throw new Error(decoded.left);
      return articleEventMessage(row, articleIdOfStream(row.streamName) ?? '', decoded.right);
    });
    const onTheWire = messages.map((m) =>
      ArticleEventMessage.decode(JSON.parse(JSON.stringify(m))),
    );
    expect(onTheWire).toEqual(messages.map(E.right));

    let previous = ZERO_HASH;
    for (const message of messages) {
      expect(message.previousHash).toBe(previous);
      const recomputed = eventHash(
        message.previousHash,
        message.streamName,
        BigInt(message.revision),
        new Date(message.recordedAt),
        canonicalEvent({
          id: message.eventId,
          type: message.event.type,
          data: message.event.data,
          metadata: message.metadata,
        }),
      );
      expect(recomputed).toBe(message.hash);
      previous = message.hash;
    }

    // Another schema, a broken hash or an event its codec refuses: refused at the path.
    const [first] = messages;
    const paths = (value: unknown) => {
      const decoded = ArticleEventMessage.decode(value);
      return E.isLeft(decoded) ? formatValidationErrors(decoded.left).map((e) => e.path) : [];
    };
    expect(paths({ ...first, schema: 'newsroom.article-event.v2' })).toEqual(['schema']);
    expect(paths({ ...first, hash: 'XYZ' })).toEqual(['hash']);
    expect(paths({ ...first, event: { ...first?.event, type: 'Nope.v1' } })).toEqual([
      'event.type',
    ]);
  });
});
