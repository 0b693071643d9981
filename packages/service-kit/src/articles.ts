/**
 * The article decider wired to the event store and to HTTP: one stream per article
 * (`article-<uuid>`), rows decoded by the ArticleEvent codec, rejections mapped to
 * problem+json by contracts' `rejectionProblem`. Drafting, review and publishing each
 * mount their own commands with `mountArticleCommand`.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import {
  articleStreamName,
  ArticleCommandBody,
  ArticleEvent,
  decodeStoredEvent,
  decodeStoredMetadata,
  fieldErrorsOf,
  IsoDateTime,
  rejectionProblem,
  strict,
  Uuid,
} from '@newsroom/contracts';
import type { ArticleCommand, ArticleCommandType, ArticleRejection } from '@newsroom/contracts';
import { articleDecider, stateName, toArticleView } from '@newsroom/domain';
import type { ArticleState } from '@newsroom/domain';
import type { EventStore } from '@newsroom/event-store';
import { requireCaller } from './auth.js';
import { StreamCache } from './command-handler.js';
import { readArticle } from './article-stream.js';
import type { ArticleRead } from './article-stream.js';
import { StreamQueue } from './stream-queue.js';
import type { CommandAccepted, CommandSpec } from './command-handler.js';
import { etagOf, failureProblem, mountCommand } from './http-commands.js';
import { commandCounter } from './append-metrics.js';
import { problem, sendProblem } from './problem.js';
import { sendInvalidQuery } from './read-model.js';
import type { ServiceDeps, ServiceDefinition } from './runtime.js';
import type { CommandHttp } from './http-commands.js';
import { commandPaths } from './openapi/commands.js';
import type { CommandRow } from './openapi/commands.js';

/** One place for the stream name: contracts' (re-exported for the services). */
export { articleStreamName };

export type ArticleSpec = CommandSpec<ArticleCommand, ArticleEvent, ArticleState, ArticleRejection>;

const specs = new WeakMap<EventStore, ArticleSpec>();

/** One spec (and so one stream cache) per store, shared by every route of the process. */
export const articleSpec = (store: EventStore): ArticleSpec => {
  const existing = specs.get(store);
  if (existing !== undefined) return existing;
  const spec: ArticleSpec = {
    store,
    cache: new StreamCache<ArticleState>(),
    queue: new StreamQueue(),
    decider: articleDecider,
    // The store edge's decoders: the ones every reader of an article uses (contracts/stream.ts).
    decodeEvent: decodeStoredEvent,
    readsBack: (event) => ArticleEvent.is(event),
    decodeMetadata: decodeStoredMetadata,
  };
  specs.set(store, spec);
  return spec;
};

export const articleHttp: CommandHttp<ArticleRejection> = {
  formatErrors: fieldErrorsOf,
  rejectionProblem: (rejection) => rejectionProblem(rejection),
};

const bodyCodecs = new Map<string, ReturnType<typeof makeBodyCodec>>();

const makeBodyCodec = (type: ArticleCommandType, creates: boolean) => {
  const data = ArticleCommandBody.members[type].required.data;
  return creates
    ? strict({ data }, { commandId: Uuid, articleId: Uuid }, `${type}Request`)
    : strict({ data }, { commandId: Uuid }, `${type}Request`);
};

/** The HTTP body of a command route: `{ commandId?, data }`, plus `articleId?` when it creates;
 *  one codec per route, which the route decodes with and the API reference is read from. */
export const commandBodyCodec = (type: ArticleCommandType, creates: boolean) => {
  const key = `${type}:${creates}`;
  const known = bodyCodecs.get(key);
  if (known !== undefined) return known;
  const codec = makeBodyCodec(type, creates);
  bodyCodecs.set(key, codec);
  return codec;
};

export interface ArticleRouteOptions {
  readonly store: EventStore;
  /** Where a created article can be read: `/v1/drafts/<id>`. */
  readonly location?: (articleId: string) => string;
  readonly present: (
    accepted: CommandAccepted<ArticleEvent, ArticleState>,
    articleId: string,
    full: boolean,
  ) => unknown;
  readonly clock?: () => Date;
  readonly observe?: CommandHttp<ArticleRejection>['observe'];
}

/** Mounts `POST <path>` for one command type; the decider enforces role and state. */
export const mountArticleCommand = (
  router: Router,
  path: string,
  type: ArticleCommandType,
  options: ArticleRouteOptions,
): void => {
  const creates = options.location !== undefined;
  const body = commandBodyCodec(type, creates);
  mountCommand(
    router,
    path,
    {
      ...articleHttp,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.observe === undefined ? {} : { observe: options.observe }),
    },
    {
      spec: articleSpec(options.store),
      commandType: type,
      body,
      commandIdOf: (b) => (b as { commandId?: string }).commandId,
      streamIdOf: (b) => (b as { articleId?: string }).articleId,
      toCommand: (b, context) =>
        ({
          type,
          data: (b as { data: unknown }).data,
          articleId: context.streamId,
          commandId: context.commandId,
          actor: { id: context.caller.id, role: context.caller.role },
          now: context.now.toISOString(),
        }) as ArticleCommand,
      streamName: articleStreamName,
      ...(options.location === undefined ? {} : { creates: options.location }),
      present: options.present,
    },
  );
};

/** The answer to an accepted command: the new revision (also in ETag), the status and the
 *  events appended; the whole article too when asked with `Prefer: return=representation`. */
export const presentAccepted = (
  accepted: CommandAccepted<ArticleEvent, ArticleState>,
  articleId: string,
  full: boolean,
): unknown => ({
  articleId,
  revision: Number(accepted.revision),
  status: stateName(accepted.state),
  events: accepted.events.map((e) => e.type),
  replayed: accepted.replayed,
  ...(full ? { article: toArticleView(accepted.state) } : {}),
});

const REVISION = /^\d{1,15}$/;

/**
 * The article of a request (`:articleId`) as folded from its stream, `?revision=n` as it was at
 * revision n, `?at=<RFC 3339>` as it was at that instant; or undefined, the problem sent (a bad
 * id or query, a stream that does not decode, no article at that point).
 */
export const readArticleAsOf = async (
  req: Request,
  res: Response,
  store: EventStore,
  /** The query to read `revision` and `at` from (default the request's). */
  query: Readonly<Record<string, unknown>> = req.query,
): Promise<{ readonly articleId: string; readonly read: ArticleRead } | undefined> => {
  const id = Uuid.decode(req.params['articleId']);
  if (E.isLeft(id)) {
    sendProblem(res, problem(404, 'Not Found', 'the article id must be a UUID'));
    return undefined;
  }
  const articleId = id.right; // lower case, as every stream name
  const { revision, at } = query;
  const errors: { path: string; message: string }[] = [];
  if (revision !== undefined && !(typeof revision === 'string' && REVISION.test(revision))) {
    errors.push({ path: 'revision', message: 'expected a non-negative integer' });
  }
  const instant = pipe(
    IsoDateTime.decode(at),
    E.map((text) => new Date(text)),
    E.filterOrElse(
      (date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999,
      () => [] as t.Errors,
    ),
  );
  if (at !== undefined && E.isLeft(instant)) {
    errors.push({ path: 'at', message: 'expected an RFC 3339 date-time in years 1 to 9999' });
  }
  if (errors.length > 0) {
    sendInvalidQuery(res, errors);
    return undefined;
  }
  const loaded = await readArticle(store, articleId, {
    ...(typeof revision === 'string' ? { toRevision: BigInt(revision) } : {}),
    ...(at !== undefined && E.isRight(instant) ? { toInstant: instant.right } : {}),
  });
  if (E.isLeft(loaded)) {
    sendProblem(res, failureProblem(loaded.left, articleHttp.rejectionProblem));
    return undefined;
  }
  if (loaded.right.state.status === 'Initial') {
    sendProblem(
      res,
      articleHttp.rejectionProblem({ _tag: 'ArticleNotFound', state: 'Initial', articleId }),
    );
    return undefined;
  }
  return { articleId, read: loaded.right };
};

/**
 * `GET <path>`: the article as folded from its stream, `?revision=n` as it was at revision n,
 * `?at=<RFC 3339>` as it was at that instant. 404 when the article (or that moment) does not exist.
 */
export const mountArticleView = (router: Router, path: string, store: EventStore): void => {
  router.get(path, async (req: Request, res: Response) => {
    const found = await readArticleAsOf(req, res, store);
    if (found === undefined) return;
    const { state, revision: current } = found.read;
    res.setHeader('ETag', etagOf(current));
    res.json({
      articleId: found.articleId,
      revision: Number(current),
      status: stateName(state),
      article: toArticleView(state),
    });
  });
};

export type ArticleRouteTable = readonly (
  | readonly [path: string, type: ArticleCommandType]
  | readonly [path: string, type: ArticleCommandType, options: { readonly creates: true }]
)[];

/**
 * A command service: every route of `table` behind a bearer token, and `GET /:articleId`.
 * Drafting, review and publishing are each one table.
 */
export const articleCommandService = (
  name: string,
  prefix: string,
  deps: ServiceDeps,
  table: ArticleRouteTable,
): ServiceDefinition => {
  const router = Router();
  router.use(requireCaller(deps.authenticator));
  const options = {
    store: deps.store,
    present: presentAccepted,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.registry === undefined ? {} : { observe: commandCounter(deps.registry) }),
  };
  for (const [path, type, flags] of table) {
    mountArticleCommand(router, path, type, {
      ...options,
      ...(flags?.creates ? { location: (id: string) => `${prefix}/${id}` } : {}),
    });
  }
  mountArticleView(router, '/:articleId', deps.store);
  const rows = table.map(([path, type, flags]): CommandRow => {
    const creates = flags?.creates === true;
    return [path, type, creates, commandBodyCodec(type, creates)];
  });
  return { name, routes: [[prefix, router]], api: commandPaths(name, prefix, rows) };
};
