/**
 * What a source hands the runtime: one message as it arrived, decoded only on demand (a
 * processor's `canHandle` is asked first, from the event type alone), with enough of its
 * origin to dead-letter it and to record that it was processed.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { ArticleEventMessage } from '@newsroom/contracts';
import { pipe } from 'fp-ts/lib/function.js';
import {
  articleEventMessage,
  articleIdOfStream,
  decodeArticleEventMessage,
  decodeStoredArticleEvent,
} from '@newsroom/contracts';
import type { RecordedEvent } from '@newsroom/event-store';

/** Where a message came from, as its dead letter records it. */
export type DeliveryOrigin =
  | { readonly kind: 'store'; readonly transactionId: string; readonly sequence: string }
  | {
      readonly kind: 'kafka';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly group: string;
    };

export interface Delivery {
  /** The event type (from the stored row, or the message's header): enough for canHandle. */
  readonly eventType: string;
  /** The message's ordering key (the article id). */
  readonly key: string;
  /** The stream and revision, when known before decoding (always, for a stored row). */
  readonly streamName: string;
  readonly revision: string | undefined;
  readonly eventId: string | undefined;
  readonly origin: DeliveryOrigin;
  /** The message as it arrived (JSON text), for its dead letter. */
  readonly payload: () => string;
  readonly decode: () => Either<string, ArticleEventMessage>;
}

const storedPayload = (row: RecordedEvent): string =>
  JSON.stringify({
    id: row.id,
    type: row.type,
    streamName: row.streamName,
    data: row.data,
    metadata: row.metadata,
  });

/**
 * A stored event of an article stream as a delivery; undefined for any other stream (it is
 * not an article event: processors never see it, and the log moves on past it).
 */
export const storeDelivery = (row: RecordedEvent): Delivery | undefined => {
  const articleId = articleIdOfStream(row.streamName);
  if (articleId === undefined) return undefined;
  return {
    eventType: row.type,
    key: articleId,
    streamName: row.streamName,
    revision: row.revision.toString(),
    eventId: row.id,
    origin: {
      kind: 'store',
      transactionId: row.position.transactionId.toString(),
      sequence: row.position.sequence.toString(),
    },
    payload: () => storedPayload(row),
    decode: () =>
      pipe(
        decodeStoredArticleEvent(row),
        E.map((decoded) => articleEventMessage(row, articleId, decoded)),
      ),
  };
};

/** What a broker hands over: the key, the value as text, the event type from its header. */
export interface ReceivedMessage {
  readonly key: string;
  readonly value: string;
  readonly eventType: string | undefined;
  readonly origin: DeliveryOrigin;
}

const parseJson = (text: string): Either<string, unknown> =>
  E.tryCatch(
    () => JSON.parse(text) as unknown,
    (error) => `not JSON: ${(error as Error).message}`,
  );

/** What routing needs from a value before it is decoded (any of it may be missing). */
const peekValue = (text: string) => {
  const parsed = parseJson(text);
  const value = E.isRight(parsed) ? parsed.right : undefined;
  const field = (from: unknown, name: string): unknown =>
    from !== null && typeof from === 'object' ? (from as Record<string, unknown>)[name] : undefined;
  const textOf = (from: unknown, name: string): string | undefined => {
    const found = field(from, name);
    return typeof found === 'string' ? found : undefined;
  };
  return {
    parsed,
    revision: textOf(value, 'revision'),
    eventId: textOf(value, 'eventId'),
    stream: textOf(value, 'streamName'),
    type: textOf(field(value, 'event'), 'type'),
  };
};

/**
 * An article-event message from a broker as a delivery: decoded with the contract codec on
 * demand; what does not decode (not JSON, another schema, a key that is not its article) is a
 * `left` and becomes a dead letter.
 */
export const receivedDelivery = (message: ReceivedMessage): Delivery => {
  const peek = peekValue(message.value);
  return {
    // The header routes without decoding; a message without one is typed by its value.
    eventType: message.eventType ?? peek.type ?? '',
    key: message.key,
    streamName: peek.stream ?? `article-${message.key}`,
    revision: peek.revision,
    eventId: peek.eventId,
    origin: message.origin,
    payload: () => message.value,
    decode: () =>
      pipe(
        peek.parsed,
        E.chain((value) => decodeArticleEventMessage(value)),
        E.chain((decoded) =>
          decoded.articleId !== message.key
            ? E.left(`key ${message.key} is not the message's article ${decoded.articleId}`)
            : decoded.event.type !== message.eventType
              ? E.left(
                  `header event-type ${message.eventType ?? '(none)'} is not ${decoded.event.type}`,
                )
              : E.right(decoded),
        ),
      ),
  };
};
