/**
 * The article stream at the store edge: one stream per article, `article-<uuid>`, and what a
 * stored row of it decodes to. One place for the name, its parser and the row codecs, so that
 * anyone reading an article (the command handler, the scheduler, audit, syndication) decodes
 * it the same way, and a row that does not decode is a value, never a throw.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { ArticleEvent, EventMetadata } from './events.js';
import { describeErrors } from './problem.js';
import { Uuid } from './text.js';

const PREFIX = 'article-';

/** `article-<uuid>`: the stream of one article (the id in lower case, as Uuid decodes it). */
export const articleStreamName = (articleId: string): string => `${PREFIX}${articleId}`;

/** The article id of an article stream's name, or undefined for any other stream. */
export const articleIdOfStream = (streamName: string): string | undefined => {
  if (!streamName.startsWith(PREFIX)) return undefined;
  const id = streamName.slice(PREFIX.length);
  return Uuid.is(id) ? id : undefined;
};

/** A stored row as the store gives it (the fields this edge reads). */
export interface StoredRow {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** A stored row decoded: the event and what was written beside it. */
export interface StoredArticleEvent {
  readonly event: ArticleEvent;
  readonly metadata: EventMetadata;
}

/** A stored row's event (`type` and `data`); `left` says why it does not decode. */
export const decodeStoredEvent = (
  row: Pick<StoredRow, 'type' | 'data'>,
): Either<string, ArticleEvent> =>
  pipe(ArticleEvent.decode({ type: row.type, data: row.data }), E.mapLeft(describeErrors));

/** A stored row's metadata; `left` says why it does not decode. */
export const decodeStoredMetadata = (metadata: unknown): Either<string, EventMetadata> =>
  pipe(
    EventMetadata.decode(metadata),
    E.mapLeft((errors) => `metadata: ${describeErrors(errors)}`),
  );

/** Decodes a stored row with the record codecs; `left` says why it does not decode. */
export const decodeStoredArticleEvent = (row: StoredRow): Either<string, StoredArticleEvent> =>
  pipe(
    decodeStoredEvent(row),
    E.chain((event) =>
      pipe(
        decodeStoredMetadata(row.metadata),
        E.map((metadata) => ({ event, metadata })),
      ),
    ),
  );
