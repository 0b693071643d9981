/**
 * Reading an article from the store, for anyone (a GET, audit, syndication): no command
 * handler's configuration needed. Rows are decoded by contracts' record codecs and folded by
 * the domain's decider; a row that does not decode is a `CorruptArticle` value.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import { articleStreamName, decodeStoredArticleEvent } from '@newsroom/contracts';
import type { StoredArticleEvent } from '@newsroom/contracts';
import { initialState, evolve } from '@newsroom/domain';
import type { ArticleState } from '@newsroom/domain';
import type { EventStore, RecordedEvent } from '@newsroom/event-store';

export interface CorruptArticle {
  readonly tag: 'CorruptStream';
  readonly streamName: string;
  readonly revision: bigint;
  readonly reason: string;
}

export interface ArticleRead {
  readonly state: ArticleState;
  /** The last revision read; -1n when the article does not exist (at that point). */
  readonly revision: bigint;
  readonly events: readonly (StoredArticleEvent & { readonly recorded: RecordedEvent })[];
}

/** Decodes and folds stored rows of one article stream, in order. */
export const foldArticle = (
  streamName: string,
  rows: readonly RecordedEvent[],
): Either<CorruptArticle, ArticleRead> => {
  let state = initialState;
  const events: (StoredArticleEvent & { readonly recorded: RecordedEvent })[] = [];
  for (const row of rows) {
    const decoded = decodeStoredArticleEvent(row);
    if (E.isLeft(decoded)) {
      return E.left({
        tag: 'CorruptStream',
        streamName,
        revision: row.revision,
        reason: decoded.left,
      });
    }
    state = evolve(state, decoded.right.event);
    events.push({ ...decoded.right, recorded: row });
  }
  const last = rows[rows.length - 1];
  return E.right({ state, revision: last === undefined ? -1n : last.revision, events });
};

/** The article as stored, up to a revision or an instant when asked. */
export const readArticle = async (
  store: Pick<EventStore, 'readStream'>,
  articleId: string,
  options: { readonly toRevision?: bigint; readonly toInstant?: Date } = {},
): Promise<Either<CorruptArticle, ArticleRead>> => {
  const streamName = articleStreamName(articleId);
  return foldArticle(streamName, await store.readStream(streamName, options));
};
