/**
 * Test support (not exported from the package): given events / when command / then events.
 * No mocks: the decider is pure, so a test is its input history and its expected output.
 */
import { expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  ArticleEvent as ArticleEventCodec,
  Content as ContentCodec,
  formatValidationErrors,
} from '@newsroom/contracts';
import type {
  Actor,
  ArticleCommand,
  ArticleCommandType,
  ArticleEvent,
  ArticleEventType,
  ArticleRejection,
  ArticleRejectionTag,
  CommandOf,
  Content,
  EventOf,
} from '@newsroom/contracts';
import fixture from '../../../tests/fixtures/haiphong-portal-2019-04-08.json' with { type: 'json' };
import { articleDecider, replay } from './article.js';
import type { ArticleState } from './state.js';

export const articleId = '0190c0de-0000-7000-8000-0000000000a1';

export const actors = {
  reporter: { id: 'reporter-hoang-tung', role: 'reporter' },
  reporter2: { id: 'reporter-2', role: 'reporter' },
  editorA: { id: 'editor-a', role: 'editor' },
  editorB: { id: 'editor-b', role: 'editor' },
  editorC: { id: 'editor-c', role: 'editor' },
  publisher: { id: 'publisher-1', role: 'publisher' },
  admin: { id: 'admin-1', role: 'admin' },
  auditor: { id: 'auditor-1', role: 'auditor' },
  system: { id: 'scheduler', role: 'system' },
} as const satisfies Record<string, Actor>;

/** 2019-04-08T08:00:00+07:00 plus `minutes`, written with the +07:00 offset. */
export const time = (minutes = 0): string => {
  const local = new Date(Date.UTC(2019, 3, 8, 8, minutes, 0));
  return `${local.toISOString().slice(0, 19)}+07:00`;
};

let commandCounter = 0;
const nextCommandId = (): string =>
  `0190c0de-0000-7000-8000-${(++commandCounter).toString(16).padStart(12, '0')}`;

/** The decider's input as the service builds it. */
export const command = <T extends ArticleCommandType>(
  type: T,
  data: CommandOf<T>['data'],
  actor: Actor,
  now: string = time(),
): ArticleCommand =>
  ({ articleId, commandId: nextCommandId(), actor, now, type, data }) as unknown as CommandOf<T>;

/** An event as the decider emits it. */
export const event = <T extends ArticleEventType>(
  type: T,
  data: Omit<EventOf<T>['data'], 'articleId' | 'at' | 'by'>,
  by: Actor,
  at: string = time(),
): ArticleEvent => ({ type, data: { articleId, at, by, ...data } }) as unknown as ArticleEvent;

export const decodeContent = (u: unknown): Content => {
  const r = ContentCodec.decode(u);
  if (E.isLeft(r)) throw new Error(JSON.stringify(formatValidationErrors(r.left)));
  return r.right;
};

/** The seed article's content, decoded as the drafting service would. */
export const seedContent = (): Content =>
  decodeContent({
    publisher: fixture.publisher,
    language: fixture.language,
    headline: fixture.headline,
    byline: fixture.byline,
    blocks: fixture.blocks,
  });

/** `content` with the text of the first text block containing `from` changed to `to`. */
export const replaceInText = (content: Content, from: string, to: string): Content => {
  const index = content.blocks.findIndex((b) => 'text' in b && b.text.includes(from));
  if (index < 0) throw new Error(`no block contains ${from}`);
  return {
    ...content,
    blocks: content.blocks.map((b, i) =>
      i === index && 'text' in b ? { ...b, text: b.text.replace(from, to) } : b,
    ),
  };
};

export interface Outcome {
  readonly state: ArticleState;
  readonly result: E.Either<ArticleRejection, readonly ArticleEvent[]>;
  /** Expects exactly these events; returns the state after them. */
  then(expected: readonly ArticleEvent[]): ArticleState;
  /** Expects one event of this type (with these data fields); returns the state after it. */
  thenEmits(type: ArticleEventType, data?: Record<string, unknown>): ArticleState;
  /** Expects this rejection (with these fields). */
  thenRejects(tag: ArticleRejectionTag, fields?: Record<string, unknown>): ArticleRejection;
}

const describeResult = (result: E.Either<ArticleRejection, readonly ArticleEvent[]>): string =>
  E.isLeft(result)
    ? `rejection ${JSON.stringify(result.left)}`
    : `events ${result.right.map((e) => e.type).join(', ')}`;

/** Every emitted event must be valid by the contract and carry the command's id, time, actor. */
const checkEmitted = (command: ArticleCommand, events: readonly ArticleEvent[]): void => {
  for (const e of events) {
    const decoded = ArticleEventCodec.decode(JSON.parse(JSON.stringify(e)));
    expect(
      E.isLeft(decoded) ? formatValidationErrors(decoded.left) : [],
      `${e.type} is valid`,
    ).toEqual([]);
    expect(e.data.articleId).toBe(command.articleId);
    expect(e.data.at).toBe(command.now);
    expect(e.data.by).toEqual(command.actor);
  }
};

export const given = (...history: readonly ArticleEvent[]) => ({
  when: (cmd: ArticleCommand): Outcome => {
    const state = replay(history);
    const result = articleDecider.decide(cmd, state);
    const after = (events: readonly ArticleEvent[]) => replay(events, state);
    return {
      state,
      result,
      then(expected) {
        expect(E.isRight(result), describeResult(result)).toBe(true);
        const events = E.isRight(result) ? result.right : [];
        expect(events).toEqual(expected);
        checkEmitted(cmd, events);
        return after(events);
      },
      thenEmits(type, data) {
        expect(describeResult(result)).toBe(`events ${type}`);
        const events = E.isRight(result) ? result.right : [];
        if (data !== undefined) expect(events[0]?.data).toMatchObject(data);
        checkEmitted(cmd, events);
        return after(events);
      },
      thenRejects(tag, fields) {
        expect(E.isLeft(result) ? result.left._tag : describeResult(result)).toBe(tag);
        const rejection = E.isLeft(result) ? result.left : ({} as ArticleRejection);
        expect(rejection.state).toBe(state.status);
        if (fields !== undefined) expect(rejection).toMatchObject(fields);
        return rejection;
      },
    };
  },
});

/** Histories that put an article in each state, with the seed content. */
export const histories = () => {
  const { reporter, editorA, editorB, publisher } = actors;
  const content = seedContent();
  const corrected = replaceInText(content, 'Đại hội VIII', 'Đại hội XIII');
  const notice = 'Đính chính: "Đại hội VIII" được sửa thành "Đại hội XIII".';
  const draft = [event('DraftCreated.v1', { content }, reporter, time(0))];
  const inReview = [...draft, event('SubmittedForReview.v1', {}, reporter, time(1))];
  const changesRequested = [
    ...inReview,
    event('ChangesRequested.v1', { comments: [{ text: 'Kiểm tra lại' }] }, editorA, time(2)),
  ];
  const approved = [...inReview, event('ArticleApproved.v1', {}, editorB, time(3))];
  const rejected = [
    ...inReview,
    event('ArticleRejected.v1', { reason: 'Trùng' }, editorB, time(3)),
  ];
  const discarded = [...draft, event('DraftDiscarded.v1', {}, reporter, time(1))];
  const scheduled = [
    ...approved,
    event('PublicationScheduled.v1', { embargo: false, releaseAt: time(60) }, publisher, time(4)),
  ];
  const embargoed = [
    ...approved,
    event('PublicationScheduled.v1', { embargo: true, releaseAt: time(60) }, publisher, time(4)),
  ];
  const published = [
    ...approved,
    event('ArticlePublished.v1', { version: 1, content }, publisher, time(5)),
  ];
  const correctionDrafted = [
    ...published,
    event('CorrectionDrafted.v1', { content: corrected, notice }, reporter, time(6)),
  ];
  const correctionApproved = [
    ...correctionDrafted,
    event('CorrectionApproved.v1', {}, editorB, time(7)),
  ];
  const corrected2 = [
    ...correctionApproved,
    event('CorrectionPublished.v1', { version: 2, notice, content: corrected }, publisher, time(8)),
  ];
  const unpublished = [
    ...published,
    event('ArticleUnpublished.v1', { reason: 'Tạm gỡ' }, publisher, time(9)),
  ];
  const retracted = [
    ...published,
    event('ArticleRetracted.v1', { reason: 'Sai', notice: 'Bài đã bị gỡ bỏ' }, publisher, time(9)),
  ];
  return {
    content,
    corrected,
    notice,
    states: {
      Initial: [] as ArticleEvent[],
      Draft: draft,
      InReview: inReview,
      ChangesRequested: changesRequested,
      Approved: approved,
      Rejected: rejected,
      Discarded: discarded,
      Scheduled: scheduled,
      Embargoed: embargoed,
      Published: published,
      CorrectionDrafted: correctionDrafted,
      CorrectionApproved: correctionApproved,
      Corrected: corrected2,
      Unpublished: unpublished,
      Retracted: retracted,
    },
  };
};
