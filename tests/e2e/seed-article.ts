/** The seed article (tests/fixtures, a copy of the portal's real article) as command content. */
import { readFileSync } from 'node:fs';

interface Fixture {
  readonly headline: string;
  readonly byline: string;
  readonly language: string;
  readonly publisher: Record<string, string>;
  readonly blocks: readonly (
    { kind: 'paragraph'; text: string } | { kind: 'image'; caption: string }
  )[];
}

export const seedFixture = JSON.parse(
  readFileSync(new URL('../fixtures/haiphong-portal-2019-04-08.json', import.meta.url), 'utf8'),
) as Fixture;

/** The content a reporter sends to create the draft: the fixture's texts, untouched. */
export const seedContent = () => ({
  headline: seedFixture.headline,
  byline: seedFixture.byline,
  language: seedFixture.language,
  tags: [] as string[],
  publisher: seedFixture.publisher,
  blocks: seedFixture.blocks.map((b) => ({ ...b })),
});
