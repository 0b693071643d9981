/**
 * `GET /v1/stream`: the syndication log as Server-Sent Events, public. Each event is
 * `id: <number>`, `event: article.published|corrected|unpublished|retracted` and `data:` the
 * same `{ type, timestamp, data }` payload webhooks carry (`data` the ninjs document). A client
 * that reconnects with `Last-Event-ID` (or `?lastEventId=`) gets everything after it, with no
 * gap and no repeat; without one it gets what happens from now on. `?section=&language=&types=`
 * (types comma-separated) filter. Comment heartbeats keep it open; past the limit of clients a
 * new one gets 503 with Retry-After.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { boundedText, fieldErrorsOf, LanguageTag, patternText, strict } from '@newsroom/contracts';
import { drained, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';
import { EVENT_TYPES } from '../changes/change.js';
import type { SyndicationEventType } from '../changes/change.js';
import type { StreamHub } from './hub.js';

const EventId = patternText(
  'LastEventId',
  /^(0|[1-9]\d{0,14})$/,
  15,
  'expected an event id from this stream',
);
const Types = patternText(
  'EventTypes',
  new RegExp(`^(${EVENT_TYPES.join('|')})(,(${EVENT_TYPES.join('|')}))*$`.replace(/\./g, '\\.')),
  200,
  `expected a comma-separated list of ${EVENT_TYPES.join(', ')}`,
);

export const StreamQuery = strict(
  {},
  {
    section: boundedText('Section', 100),
    language: LanguageTag,
    types: Types,
    lastEventId: EventId,
  },
  'StreamQuery',
);

export const streamRouter = (hub: StreamHub): Router => {
  const router = Router();
  router.get('/', (req: Request, res: Response) => {
    const query = StreamQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const header = req.header('last-event-id');
    const resume = header ?? query.right.lastEventId;
    if (resume !== undefined && !EventId.is(resume)) {
      return sendInvalidQuery(res, [
        { path: 'Last-Event-ID', message: 'expected an event id from this stream' },
      ]);
    }
    if (hub.full()) {
      res.setHeader('Retry-After', '5');
      return sendProblem(
        res,
        problem(
          503,
          'Too Many Stream Clients',
          'the live stream has as many clients as it serves; try again shortly',
        ),
      );
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const q = query.right;
    // 'drain' comes only after a write the socket could not take at once.
    let full = false;
    const detach = hub.attach(
      {
        filters: {
          sections: q.section === undefined ? [] : [q.section],
          languages: q.language === undefined ? [] : [q.language.toLowerCase()],
          types: q.types === undefined ? [] : (q.types.split(',') as SyndicationEventType[]),
        },
        write: (frame) => {
          if (!res.write(frame)) full = true;
        },
        buffered: () => res.writableLength,
        drained: () =>
          full
            ? drained(res).then(() => {
                full = false;
              })
            : Promise.resolve(),
        end: () => res.end(),
      },
      resume === undefined ? undefined : Number(resume),
    );
    req.on('close', detach);
  });
  return router;
};
