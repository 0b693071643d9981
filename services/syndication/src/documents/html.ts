/**
 * The article's blocks as HTML, for the feeds and ninjs' rich-text body. Every text is escaped
 * as it is written out, and the result goes through an allow-list sanitizer (sanitize-html)
 * as well, so that no markup a text may hold ever reaches a reader as markup. The stored text
 * is never changed: this is output only.
 */
import sanitizeHtml from 'sanitize-html';
import type { Content } from '@newsroom/contracts';
import { escapeMarkup } from '@newsroom/service-kit';

type Block = Content['blocks'][number];

const blockHtml = (block: Block): string => {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeMarkup(block.text)}</p>`;
    case 'heading':
      return `<h${block.level}>${escapeMarkup(block.text)}</h${block.level}>`;
    case 'quote':
      return `<blockquote><p>${escapeMarkup(block.text)}</p>${
        block.attribution === undefined ? '' : `<cite>${escapeMarkup(block.attribution)}</cite>`
      }</blockquote>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}>${block.items.map((i) => `<li>${escapeMarkup(i)}</li>`).join('')}</${tag}>`;
    }
    case 'image': {
      const img =
        block.src === undefined
          ? ''
          : `<img src="${escapeMarkup(block.src)}" alt="${escapeMarkup(block.alt ?? block.caption)}">`;
      const credit =
        block.credit === undefined ? '' : ` <small>${escapeMarkup(block.credit)}</small>`;
      return `<figure>${img}<figcaption>${escapeMarkup(block.caption)}${credit}</figcaption></figure>`;
    }
    default: {
      const never: never = block;
      return never;
    }
  }
};

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    'aside',
    'p',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'cite',
    'ul',
    'ol',
    'li',
    'figure',
    'figcaption',
    'img',
    'small',
  ],
  allowedAttributes: { img: ['src', 'alt'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['src'],
  disallowedTagsMode: 'escape',
};

/** The article for a feed reader: its correction notices (newest first), then its blocks. */
export const articleHtml = (blocks: readonly Block[], notices: readonly string[]): string =>
  sanitizeHtml(
    [
      ...notices.map((n) => `<aside><p>${escapeMarkup(n)}</p></aside>`),
      ...blocks.map(blockHtml),
    ].join('\n'),
    ALLOWED,
  );

/** The blocks as plain text, one paragraph per line (ninjs' text/plain body). */
export const blocksText = (blocks: readonly Block[]): string =>
  blocks
    .map((b) => {
      switch (b.kind) {
        case 'paragraph':
        case 'heading':
          return b.text;
        case 'quote':
          return b.attribution === undefined ? b.text : `${b.text} (${b.attribution})`;
        case 'list':
          return b.items.join('\n');
        case 'image':
          return b.credit === undefined ? b.caption : `${b.caption} (${b.credit})`;
        default: {
          const never: never = b;
          return never;
        }
      }
    })
    .join('\n\n');

export const blocksHtml = (blocks: readonly Block[]): string => articleHtml(blocks, []);
