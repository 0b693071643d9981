/**
 * The article-event message as it goes on `newsroom.article-events.v1`: keyed by article id,
 * the value encoded by contracts' ArticleEventMessage codec, the event id and type in headers
 * (ArticleEventHeaders), and the command's W3C traceparent when it had one, so that a consumer
 * can route or pass over a message undecoded. The relay encodes with this; consumers decode
 * with the same codec (processing's delivery.ts).
 */
import { ArticleEventMessage } from '@newsroom/contracts';
import type { ArticleEventHeaders } from '@newsroom/contracts';
import type { OutgoingMessage } from './producer.js';

export const articleEventRecord = (message: ArticleEventMessage): OutgoingMessage => {
  const trace = message.metadata.traceparent;
  const headers: ArticleEventHeaders = {
    'event-id': message.eventId,
    'event-type': message.event.type,
    ...(trace === undefined ? {} : { traceparent: trace }),
  };
  return {
    key: message.articleId,
    value: JSON.stringify(ArticleEventMessage.encode(message)),
    headers: { ...headers },
  };
};
