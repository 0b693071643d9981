/**
 * Dead letters on `newsroom.dead-letters.v1`: the original key and value, unchanged, with
 * headers (contracts' DeadLetterHeaders) naming the processor, the reason and the origin.
 * Sent before the transaction that passes the message, so at least once.
 */
import { DEAD_LETTERS_TOPIC } from '@newsroom/contracts';
import type { DeadLetterHeaders } from '@newsroom/contracts';
import type { DeadLetter, DeadLetterSink } from '@newsroom/processing';
import type { Publisher } from './producer.js';

export const deadLetterHeaders = (letter: DeadLetter): DeadLetterHeaders => {
  const { delivery } = letter;
  const origin = delivery.origin;
  return {
    'dead-letter-schema': 'newsroom.dead-letter.v1',
    'dead-letter-processor': letter.processor,
    'dead-letter-reason': letter.reason,
    'dead-letter-attempts': String(letter.attempts),
    'event-type': delivery.eventType,
    ...(delivery.eventId === undefined ? {} : { 'event-id': delivery.eventId }),
    ...(origin.kind === 'kafka'
      ? {
          'source-topic': origin.topic,
          'source-partition': String(origin.partition),
          'source-offset': origin.offset,
          'source-group': origin.group,
        }
      : { 'source-transaction-id': origin.transactionId, 'source-sequence': origin.sequence }),
  };
};

export const kafkaDeadLetters = (
  publisher: Publisher,
  topic = DEAD_LETTERS_TOPIC,
): DeadLetterSink => ({
  send: (letters) =>
    publisher.send(
      topic,
      letters.map((letter) => ({
        key: letter.delivery.key === '' ? letter.delivery.streamName : letter.delivery.key,
        value: letter.delivery.payload(),
        headers: { ...deadLetterHeaders(letter) },
      })),
    ),
});
