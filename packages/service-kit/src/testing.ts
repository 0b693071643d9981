/** Test support for the command handler's specs (not exported from the package). */
import type { Actor, ArticleCommand } from '@newsroom/contracts';
import { articleStreamName } from '@newsroom/contracts';
import { commandMetadata } from './command-handler.js';
import type { CommandRequest } from './command-handler.js';

/** A small article in the seed's language. */
export const sampleContent = {
  headline: 'Hải Phòng',
  byline: 'Hoàng Tùng',
  language: 'vi',
  tags: [],
  publisher: { name: 'Cổng thông tin điện tử thành phố Hải Phòng' },
  blocks: [{ kind: 'paragraph' as const, text: 'Ngày 8/4, Ban Thường vụ Thành ủy họp.' }],
};

/** The request a service builds for `type` on `articleId` by `actor`, as the HTTP edge does. */
export const articleCommandRequest = (
  articleId: string,
  type: ArticleCommand['type'],
  data: unknown,
  actor: Actor,
  commandId: string = crypto.randomUUID(),
): CommandRequest<ArticleCommand> => {
  const now = new Date();
  return {
    streamName: articleStreamName(articleId),
    commandId,
    command: { type, data, articleId, commandId, actor, now: now.toISOString() } as ArticleCommand,
    metadata: commandMetadata({
      actor,
      commandId,
      commandType: type,
      correlationId: commandId,
      causationId: commandId,
      now,
    }),
  };
};
