/**
 * The two sides of a diff, from the record: a revision (`7`: the text the newsroom had after
 * it) or a published version (`v2`: the text that went out as it), and their word-level diff.
 * Shared by the API and the audit page.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Content } from '@newsroom/contracts';
import type { EventStore } from '@newsroom/event-store';
import { articleHttp, failureProblem, problem, readArticle } from '@newsroom/service-kit';
import type { Problem } from '@newsroom/service-kit';
import { diffContent } from './content.js';
import type { ContentDiff } from './content.js';

/** A side of a diff: a revision (`7`) or a published version (`v2`). */
export const SIDE = /^(?:(\d{1,15})|v([1-9]\d{0,8}))$/;

export type Side = { readonly revision: number } | { readonly version: number };

export const sideOf = (text: unknown): Side | undefined => {
  const match = typeof text === 'string' ? SIDE.exec(text) : null;
  if (match === null) return undefined;
  return match[1] !== undefined ? { revision: Number(match[1]) } : { version: Number(match[2]) };
};

export const sideLabel = (s: Side): string =>
  'version' in s ? `v${s.version}` : `revision ${s.revision}`;

export interface LoadedDiff {
  readonly diff: ContentDiff;
  readonly a: Content;
  readonly b: Content;
}

export const loadDiff = async (
  store: EventStore,
  articleId: string,
  from: Side,
  to: Side,
): Promise<Either<Problem, LoadedDiff>> => {
  const loaded = await readArticle(store, articleId);
  if (E.isLeft(loaded)) return E.left(failureProblem(loaded.left, articleHttp.rejectionProblem));
  const { events } = loaded.right;
  if (events.length === 0) return E.left(problem(404, 'Not Found', `no article ${articleId}`));
  const contentOf = async (side: Side): Promise<Content | undefined> => {
    if ('version' in side) {
      for (const e of events) {
        const ev = e.event;
        if (
          (ev.type === 'ArticlePublished.v1' || ev.type === 'CorrectionPublished.v1') &&
          ev.data.version === side.version
        ) {
          return ev.data.content;
        }
      }
      return undefined;
    }
    if (side.revision >= events.length) return undefined;
    const at = await readArticle(store, articleId, { toRevision: BigInt(side.revision) });
    return E.isRight(at) && at.right.state.status !== 'Initial'
      ? at.right.state.content
      : undefined;
  };
  const [a, b] = [await contentOf(from), await contentOf(to)];
  if (a === undefined || b === undefined) {
    return E.left(
      problem(404, 'Not Found', 'the article has no such revision or published version'),
    );
  }
  return E.right({ diff: diffContent(a, b), a, b });
};
