/**
 * Two versions of an article's content compared field by field: every text field, the tags,
 * each publisher field, and each block's texts in order (block i against block i; a block only
 * on one side is all deleted or all inserted), each with its word-level diff.
 */
import type { Content } from '@newsroom/contracts';
import { diffWords } from './words.js';
import type { DiffPart } from './words.js';

export interface FieldDiff {
  readonly path: string;
  readonly parts: readonly DiffPart[];
}

export interface ContentDiff {
  /** The fields that differ, in document order. */
  readonly changed: readonly FieldDiff[];
  /** How many fields are the same on both sides. */
  readonly unchanged: number;
}

/** Every text of a content, by path, in document order. */
export const textsOf = (c: Content): Map<string, string> => {
  const texts = new Map<string, string>();
  const put = (path: string, text: string | undefined) => {
    if (text !== undefined) texts.set(path, text);
  };
  put('headline', c.headline);
  put('summary', c.summary);
  put('byline', c.byline);
  put('section', c.section);
  put('slug', c.slug);
  put('language', c.language);
  if (c.tags.length > 0) put('tags', c.tags.join(', '));
  for (const [field, value] of Object.entries(c.publisher)) put(`publisher.${field}`, value);
  c.blocks.forEach((b, i) => {
    const at = `blocks.${i}`;
    switch (b.kind) {
      case 'paragraph':
      case 'heading':
        put(`${at}.text`, b.text);
        return;
      case 'quote':
        put(`${at}.text`, b.text);
        put(`${at}.attribution`, b.attribution);
        return;
      case 'list':
        put(`${at}.items`, b.items.join('\n'));
        return;
      case 'image':
        put(`${at}.caption`, b.caption);
        put(`${at}.credit`, b.credit);
        put(`${at}.alt`, b.alt);
        put(`${at}.src`, b.src);
        return;
      default: {
        const never: never = b;
        return never;
      }
    }
  });
  return texts;
};

export const diffContent = (from: Content, to: Content): ContentDiff => {
  const a = textsOf(from);
  const b = textsOf(to);
  const paths = [...a.keys(), ...[...b.keys()].filter((p) => !a.has(p))];
  const changed: FieldDiff[] = [];
  let unchanged = 0;
  for (const path of paths) {
    const [x, y] = [a.get(path) ?? '', b.get(path) ?? ''];
    if (x === y) unchanged++;
    else changed.push({ path, parts: diffWords(x, y) });
  }
  return { changed, unchanged };
};
