/** The wire format of an article, from every state of the lifecycle: it decodes with its own
 *  codec, sends a published text once, and holds nothing the mapping did not name. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ArticleView } from '@newsroom/contracts';
import { replay } from './article.js';
import { toArticleView } from './article-view.js';
import { histories } from './testkit.js';

const { states, content, corrected } = histories();

describe('toArticleView', () => {
  it.each(Object.entries(states).filter(([name]) => name !== 'Initial'))(
    '%s: decodes with the ArticleView codec, to itself',
    (_, history) => {
      const view = toArticleView(replay(history));
      const decoded = ArticleView.decode(view);
      expect(E.isRight(decoded) ? decoded.right : decoded.left).toEqual(view);
    },
  );

  it('an article that does not exist has no view', () => {
    expect(toArticleView(replay(states.Initial))).toBeUndefined();
  });

  it('sends the published text once while it is the current text, and both while they differ', () => {
    const published = toArticleView(replay(states.Published));
    expect(published?.published).toMatchObject({ version: 1, contentIsCurrent: true });
    expect(published?.published).not.toHaveProperty('content');
    expect(published?.content).toEqual(content);

    const pending = toArticleView(replay(states.CorrectionDrafted));
    expect(pending?.published?.contentIsCurrent ?? false).toBe(true);
    expect(pending?.correction?.content).toEqual(corrected);

    const after = toArticleView(replay(states.Corrected));
    expect(after?.published).toMatchObject({ version: 2, contentIsCurrent: true });
    expect(after?.content).toEqual(corrected);
  });

  it('a scheduled article shows its schedule; others have none', () => {
    expect(toArticleView(replay(states.Embargoed))).toMatchObject({
      status: 'Scheduled',
      schedule: { embargo: true },
    });
    expect(toArticleView(replay(states.Approved))).not.toHaveProperty('schedule');
  });
});
