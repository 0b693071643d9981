import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { callerOf } from './auth.js';
import type { Caller } from './auth.js';
import { correlationIdOf, traceparentOf } from './app.js';
import { commandMetadata, eventIdFor, handleCommand } from './command-handler.js';
import type {
  CommandAccepted,
  CommandFailure,
  CommandSpec,
  TypedEvent,
} from './command-handler.js';
import { problem, sendProblem } from './problem.js';
import type { Problem } from './problem.js';

/** io-ts errors as readable field paths (the first 100), supplied by @newsroom/contracts. */
export type FormatErrors = (errors: t.Errors) => {
  readonly errors: readonly { readonly path: string; readonly message: string }[];
  readonly errorsTruncated?: true;
};

export interface CommandContext {
  readonly streamId: string;
  readonly commandId: string;
  readonly caller: Caller;
  readonly now: Date;
}

export interface CommandRoute<Body, Command, Event extends TypedEvent, State, Rejection> {
  readonly spec: CommandSpec<Command, Event, State, Rejection>;
  /** Written into every event's metadata, so that a command id reused for another command is
   *  refused instead of answered as a retry. */
  readonly commandType: string;
  /** The codec of this route's body: the HTTP edge. */
  readonly body: t.Decoder<unknown, Body>;
  readonly commandIdOf: (body: Body) => string | undefined;
  /** For creating commands: the stream id the caller chose, if any. */
  readonly streamIdOf?: (body: Body) => string | undefined;
  readonly toCommand: (body: Body, context: CommandContext) => Command;
  readonly streamName: (streamId: string) => string;
  /** 201 with Location for commands that create the stream. */
  readonly creates?: (streamId: string) => string;
  /** The answer body; `full` when the caller sent `Prefer: return=representation` (RFC 7240). */
  readonly present: (
    accepted: CommandAccepted<Event, State>,
    streamId: string,
    full: boolean,
  ) => unknown;
}

/** How a command ended, as /metrics counts it. */
export type CommandOutcome =
  'accepted' | 'replayed' | 'invalid' | 'rejected' | 'conflict' | 'busy' | 'failed';

export interface CommandHttp<Rejection> {
  readonly formatErrors: FormatErrors;
  readonly rejectionProblem: (rejection: Rejection) => Problem;
  readonly clock?: () => Date;
  /** Told how each command ended (commands_total). */
  readonly observe?: (commandType: string, outcome: CommandOutcome) => void;
}

/** The outcome a handler's failure counts as. */
const outcomeOf = (tag: CommandFailure<unknown>['tag']): CommandOutcome => {
  switch (tag) {
    case 'Rejected':
      return 'rejected';
    case 'StaleRevision':
    case 'CommandIdReused':
    case 'ConcurrencyExhausted':
      return 'conflict';
    case 'Busy':
      return 'busy';
    case 'Unwritable':
    case 'CorruptStream':
      return 'failed';
    default: {
      const unreachable: never = tag;
      return unreachable;
    }
  }
};

/** An If-Match of one revision (the API reference says it with this). */
export const IF_MATCH_REVISION = /^\s*"(\d{1,15})"\s*$/;

const badIfMatch = (message: string): Problem =>
  problem(400, 'Invalid If-Match', 'If-Match must be one stream revision such as "3"', {
    errors: [{ path: 'headers.if-match', message }],
  });

/**
 * Parses If-Match: one strong entity tag holding a stream revision (`"3"`), or `*`, which asks
 * nothing here (the command itself says when the article must exist). A weak tag (`W/"3"`) is
 * refused: If-Match compares strongly (RFC 9110 section 13.1.1), and ETags here are strong.
 */
export const parseIfMatch = (header: string | undefined): E.Either<Problem, bigint | undefined> => {
  if (header === undefined || header.trim() === '*') return E.right(undefined);
  if (/^\s*W\//.test(header)) {
    return E.left(badIfMatch('a weak entity tag never matches: send the ETag as given, e.g. "3"'));
  }
  const match = IF_MATCH_REVISION.exec(header);
  return match?.[1] === undefined
    ? E.left(badIfMatch('expected one quoted revision, e.g. "3"'))
    : E.right(BigInt(match[1]));
};

export const etagOf = (revision: bigint): string => `"${revision}"`;

/** The one place where a command failure becomes an HTTP answer. */
export const failureProblem = <Rejection>(
  failure: CommandFailure<Rejection>,
  rejectionProblem: (rejection: Rejection) => Problem,
): Problem => {
  switch (failure.tag) {
    case 'Rejected':
      return rejectionProblem(failure.rejection);
    case 'StaleRevision':
      return failure.current < 0n
        ? problem(
            412,
            'Precondition Failed',
            `the article does not exist, so no revision (${failure.expected}) matches`,
          )
        : problem(
            412,
            'Precondition Failed',
            `the stream is at revision ${failure.current}, not ${failure.expected}`,
            { currentRevision: Number(failure.current) },
          );
    case 'CommandIdReused':
      return problem(
        409,
        'Command Id Reused',
        `command id ${failure.commandId} was used before for another command (${failure.reason}); send a new one`,
      );
    case 'ConcurrencyExhausted':
      return problem(
        409,
        'Concurrent Modification',
        `the stream kept changing; gave up after ${failure.attempts} attempts`,
      );
    case 'Busy':
      return problem(
        503,
        'Article Busy',
        'too many commands are waiting for this article; send it again shortly',
      );
    case 'Unwritable':
      return problem(
        500,
        'Unwritable Event',
        'the command was refused before anything was stored: its events would not read back',
      );
    case 'CorruptStream':
      return problem(
        500,
        'Corrupt Stream',
        `event ${failure.revision} of ${failure.streamName} cannot be decoded`,
      );
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notAnArticleId = (): Problem =>
  problem(404, 'Not Found', 'no such article: an article id is a UUID');

/**
 * Mounts a command at `path` on `router`: role check is the decider's, the actor is the token's,
 * the body is decoded by its codec, If-Match guards the revision, and every failure is problem+json.
 */
export const mountCommand = <Body, Command, Event extends TypedEvent, State, Rejection>(
  router: Router,
  path: string,
  http: CommandHttp<Rejection>,
  route: CommandRoute<Body, Command, Event, State, Rejection>,
): void => {
  const clock = http.clock ?? (() => new Date());
  router.post(path, async (req: Request, res: Response) => {
    // 1. The resource first: a command to an article that cannot exist is 404, whatever its body.
    const param: unknown = req.params['articleId'];
    const given = typeof param === 'string' ? param : undefined;
    if (param !== undefined && (given === undefined || !UUID.test(given)))
      return sendProblem(res, notAnArticleId());
    // 2. Headers, then the body, each decoded by its codec.
    const ifMatch = parseIfMatch(req.header('if-match'));
    if (E.isLeft(ifMatch)) return sendProblem(res, ifMatch.left);
    const decoded = route.body.decode(req.body ?? {});
    if (E.isLeft(decoded)) {
      http.observe?.(route.commandType, 'invalid');
      return sendProblem(
        res,
        problem(400, 'Invalid Command', 'the request body does not match the command', {
          ...http.formatErrors(decoded.left),
        }),
      );
    }
    const body = decoded.right;
    const commandId = route.commandIdOf(body) ?? randomUUID();
    // A creating command without an id gets one derived from its command id, so a retry
    // of the same command lands on the same stream instead of creating a second article.
    const streamId =
      given !== undefined
        ? given.toLowerCase() // either case is the same article, as in bodies
        : route.creates === undefined
          ? undefined
          : (route.streamIdOf?.(body) ?? eventIdFor(commandId, 'stream'));
    if (streamId === undefined) return sendProblem(res, notAnArticleId());
    const caller = callerOf(req);
    const now = clock();
    const command = route.toCommand(body, { streamId, commandId, caller, now });
    const result = await handleCommand(route.spec, {
      streamName: route.streamName(streamId),
      commandId,
      command,
      ...(ifMatch.right === undefined ? {} : { expectedRevision: ifMatch.right }),
      metadata: commandMetadata({
        actor: caller,
        commandId,
        commandType: route.commandType,
        correlationId: correlationIdOf(req),
        causationId: commandId,
        ...(traceparentOf(req) === undefined ? {} : { traceparent: traceparentOf(req)! }),
        now,
      }),
    });
    if (E.isLeft(result)) {
      const failure = result.left;
      http.observe?.(route.commandType, outcomeOf(failure.tag));
      if (failure.tag === 'Busy') res.setHeader('Retry-After', '1');
      if (failure.tag === 'StaleRevision' && failure.current >= 0n) {
        res.setHeader('ETag', etagOf(failure.current));
      }
      return sendProblem(res, failureProblem(failure, http.rejectionProblem));
    }
    const accepted = result.right;
    http.observe?.(route.commandType, accepted.replayed ? 'replayed' : 'accepted');
    res.setHeader('ETag', etagOf(accepted.revision));
    const created = route.creates !== undefined && !accepted.replayed;
    if (route.creates !== undefined) res.setHeader('Location', route.creates(streamId));
    const full = /\breturn=representation\b/i.test(req.header('prefer') ?? '');
    if (full) res.setHeader('Preference-Applied', 'return=representation');
    res.status(created ? 201 : 200).json(route.present(accepted, streamId, full));
  });
};
