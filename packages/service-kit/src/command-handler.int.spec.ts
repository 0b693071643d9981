/**
 * The command handler with a stream cache, on a real store (PGlite): two handlers with caches
 * of their own stand for two processes. A cache that the other process left behind must never
 * produce a wrong answer: not a wrong rejection, not a lost command, not a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleCommand } from '@newsroom/contracts';
import type { ArticleState } from '@newsroom/domain';
import { createPostgresEventStore, pgliteDriver } from '@newsroom/event-store';
import type { PostgresEventStore } from '@newsroom/event-store';
import { articleSpec, articleStreamName } from './articles.js';
import type { ArticleSpec } from './articles.js';
import { commandMetadata, handleCommand, StreamCache } from './command-handler.js';
import { articleCommandRequest, sampleContent } from './testing.js';

const content = sampleContent;
const reporter = { id: 'reporter.c', role: 'reporter' } as const;

describe('command handler with stream caches in two processes', () => {
  let db: PGlite;
  let store: PostgresEventStore;
  let processA: ArticleSpec;
  let processB: ArticleSpec;

  beforeAll(async () => {
    db = await PGlite.create();
    store = await createPostgresEventStore({ driver: pgliteDriver(db) });
    const base = articleSpec(store);
    processA = { ...base, cache: new StreamCache<ArticleState>() };
    processB = { ...base, cache: new StreamCache<ArticleState>() };
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
  });

  const send = (
    spec: ArticleSpec,
    articleId: string,
    type: ArticleCommand['type'],
    data: unknown = {},
    commandId = randomUUID(),
  ) => handleCommand(spec, articleCommandRequest(articleId, type, data, reporter, commandId));

  it('a cache behind the stream does not turn a valid command into a rejection', async () => {
    const id = randomUUID();
    expect(E.isRight(await send(processA, id, 'CreateDraft', { content }))).toBe(true);
    expect(E.isRight(await send(processA, id, 'SubmitForReview'))).toBe(true); // A caches InReview
    expect(E.isRight(await send(processB, id, 'WithdrawSubmission'))).toBe(true); // now Draft
    // A's cache says InReview, where SubmitForReview is refused; the stream says Draft.
    const result = await send(processA, id, 'SubmitForReview');
    expect(result).toMatchObject({ _tag: 'Right', right: { revision: 3n } });
    expect((await store.readStream(articleStreamName(id))).map((e) => e.type)).toEqual([
      'DraftCreated.v1',
      'SubmittedForReview.v1',
      'SubmissionWithdrawn.v1',
      'SubmittedForReview.v1',
    ]);
  });

  it('a command first handled by the other process is answered, not applied twice', async () => {
    const id = randomUUID();
    await send(processA, id, 'CreateDraft', { content });
    await send(processB, id, 'CreateDraft', { content }); // B has a cache too (refused: exists)
    const commandId = randomUUID();
    const first = await send(processB, id, 'SubmitForReview', {}, commandId);
    const again = await send(processA, id, 'SubmitForReview', {}, commandId);
    expect(first).toMatchObject({ _tag: 'Right', right: { revision: 1n, replayed: false } });
    // A decides on its stale cache and appends the same event ids: the store answers that they
    // were stored already, and A answers as a replay of the first result.
    expect(again).toMatchObject({ _tag: 'Right', right: { revision: 1n, replayed: true } });
    expect(await store.readStream(articleStreamName(id))).toHaveLength(2);
  });

  it('a real rejection is still a rejection after reading the tail', async () => {
    const id = randomUUID();
    await send(processA, id, 'CreateDraft', { content });
    const result = await send(processA, id, 'PublishCorrection');
    expect(result).toMatchObject({ _tag: 'Left', left: { tag: 'Rejected' } });
  });

  it('two requests with one command id at once: one is applied, the other answers with it', async () => {
    const id = randomUUID();
    await send(processA, id, 'CreateDraft', { content });
    const commandId = randomUUID();
    const editorA = { id: 'editor.a', role: 'editor' } as const;
    const editorB = { id: 'editor.b', role: 'editor' } as const;
    const revise = (actor: typeof editorA | typeof editorB, headline: string) => {
      const now = new Date();
      const command = {
        type: 'ReviseDraft',
        data: { content: { ...content, headline } },
        articleId: id,
        commandId,
        actor,
        now: now.toISOString(),
      } as ArticleCommand;
      return handleCommand(processA, {
        streamName: articleStreamName(id),
        commandId,
        command,
        metadata: commandMetadata({
          actor,
          commandId,
          commandType: 'ReviseDraft',
          correlationId: commandId,
          causationId: commandId,
          now,
        }),
      });
    };
    const answers = await Promise.all([revise(editorA, 'FIRST'), revise(editorB, 'SECOND')]);
    const stored = await store.readStream(articleStreamName(id));
    expect(stored).toHaveLength(2);
    const storedHeadline = (stored[1]?.data as { content: { headline: string } }).content.headline;
    const storedBy = (stored[1]?.data as { by: { id: string } }).by.id;
    const rights = answers.map((a) => (E.isRight(a) ? a.right : undefined));
    expect(rights.map((r) => r?.replayed).sort()).toEqual([false, true]);
    for (const r of rights) {
      expect(r?.revision).toBe(1n);
      const state = r?.state as { content: { headline: string } };
      expect(state.content.headline).toBe(storedHeadline);
    }
    // The process's cache agrees with the store: the next command sees who really wrote it.
    await send(processA, id, 'SubmitForReview');
    const approval = await handleCommand(processA, {
      streamName: articleStreamName(id),
      commandId: randomUUID(),
      command: {
        type: 'ApproveArticle',
        data: {},
        articleId: id,
        commandId: randomUUID(),
        actor: { id: storedBy, role: 'editor' },
        now: new Date().toISOString(),
      } as ArticleCommand,
      metadata: commandMetadata({
        actor: { id: storedBy, role: 'editor' },
        commandId: randomUUID(),
        commandType: 'ApproveArticle',
        correlationId: 'c',
        causationId: 'c',
        now: new Date(),
      }),
    });
    // Whoever's text was stored contributed to it and may not approve it (four eyes).
    expect(approval).toMatchObject({
      _tag: 'Left',
      left: { tag: 'Rejected', rejection: { _tag: 'ApproverIsContributor' } },
    });
  });

  it('what would not read back is refused before anything is stored', async () => {
    // An actor id the record codecs refuse (blank), as no verified token can carry: the
    // handler decodes what it is about to append with the codecs that read it, first.
    const id = randomUUID();
    const commandId = randomUUID();
    const now = new Date();
    const blank = { id: ' ', role: 'reporter' } as const;
    const result = await handleCommand(processA, {
      streamName: articleStreamName(id),
      commandId,
      command: {
        type: 'CreateDraft',
        data: { content },
        articleId: id,
        commandId,
        actor: blank,
        now: now.toISOString(),
      } as ArticleCommand,
      metadata: commandMetadata({
        actor: blank,
        commandId,
        commandType: 'CreateDraft',
        correlationId: commandId,
        causationId: commandId,
        now,
      }),
    });
    expect(result).toMatchObject({ _tag: 'Left', left: { tag: 'Unwritable' } });
    expect(await store.readStream(articleStreamName(id))).toEqual([]);
  });

  it('32 concurrent commands on one stream reach the store one at a time: no lost race', async () => {
    let appends = 0;
    // The real store, with its appends counted (a Proxy, not a fake: every call goes through).
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (key === 'appendToStream') appends++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const spec = articleSpec(counting);
    const id = randomUUID();
    expect(E.isRight(await send(spec, id, 'CreateDraft', { content }))).toBe(true);
    appends = 0;
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        send(spec, id, 'ReviseDraft', { content: { ...content, summary: `Số ${i}.` } }),
      ),
    );
    expect(results.every(E.isRight)).toBe(true);
    expect(appends).toBe(32);
  });
});
