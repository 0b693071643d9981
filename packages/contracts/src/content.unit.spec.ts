import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { Block, Content, Publisher } from './content.js';
import { formatValidationErrors } from './problem.js';
import { decoded } from './testing.js';

const fixtureUrl = new URL(
  '../../../tests/fixtures/haiphong-portal-2019-04-08.json',
  import.meta.url,
);
const raw = readFileSync(fixtureUrl, 'utf8');
const fixture = JSON.parse(raw) as Record<string, unknown>;
const contentKeys = ['publisher', 'language', 'headline', 'byline', 'blocks'] as const;
const seedContent = (): Record<string, unknown> =>
  Object.fromEntries(contentKeys.map((k) => [k, fixture[k]]));

const failures = (codec: t.Decoder<unknown, unknown>, u: unknown) => {
  const r = codec.decode(u);
  return E.isLeft(r) ? formatValidationErrors(r.left) : [];
};
const paths = (codec: t.Decoder<unknown, unknown>, u: unknown): string[] =>
  failures(codec, u).map((e) => e.path);

describe('Content from the seed article', () => {
  it('decodes the fixture', () => {
    const content = decoded(Content, seedContent());
    expect(content.blocks).toHaveLength(10);
    expect(content.blocks.filter((b) => b.kind === 'image')).toHaveLength(3);
    expect(content.language).toBe('vi');
    expect(content.tags).toEqual([]);
    expect(content.publisher.name).toBe('Cổng thông tin điện tử thành phố Hải Phòng');
  });

  it('round-trips byte-identical through decode + JSON (the file itself comes back)', () => {
    const content = decoded(Content, seedContent());
    const back = { ...fixture, ...Object.fromEntries(contentKeys.map((k) => [k, content[k]])) };
    expect(
      Buffer.from(JSON.stringify(back, null, 2), 'utf8').equals(Buffer.from(raw, 'utf8')),
    ).toBe(true);
    const encoded = JSON.parse(JSON.stringify(Content.encode(content))) as unknown;
    expect(decoded(Content, encoded)).toEqual(content);
  });

  it('keeps every publisher field verbatim and in order', () => {
    const content = decoded(Content, seedContent());
    expect(Object.keys(content.publisher)).toEqual(Object.keys(fixture['publisher'] as object));
    expect(content.publisher).toEqual(fixture['publisher']);
    expect(content.publisher['operatorPhone']).toBe('0225.3821.055');
  });

  it('normalizes decomposed text everywhere to NFC and changes nothing else', () => {
    const nfd = (s: string) => s.normalize('NFD');
    const input = {
      ...seedContent(),
      headline: nfd(' Hải Phòng phải đi đầu '),
      byline: nfd('Hoàng Tùng'),
      blocks: [
        { kind: 'paragraph', text: nfd('Thành uỷ và Thành ủy') },
        { kind: 'list', ordered: true, items: [nfd('Đại hội XIII'), nfd('nội dụng')] },
      ],
      publisher: { name: nfd('Cổng thông tin'), editorInChief: nfd('Phạm Hưng Hùng') },
    };
    const content = decoded(Content, input);
    expect(content.headline).toBe(' Hải Phòng phải đi đầu '.normalize('NFC'));
    expect(content.byline).toBe('Hoàng Tùng'.normalize('NFC'));
    expect(content.blocks[0]).toEqual({ kind: 'paragraph', text: 'Thành uỷ và Thành ủy' });
    expect(content.blocks[1]).toEqual({
      kind: 'list',
      ordered: true,
      items: ['Đại hội XIII'.normalize('NFC'), 'nội dụng'.normalize('NFC')],
    });
    expect(content.publisher['editorInChief']).toBe('Phạm Hưng Hùng'.normalize('NFC'));
  });
});

describe('Content rules', () => {
  it('defaults language to vi when absent, keeps a given one', () => {
    const { language: _language, ...rest } = seedContent();
    expect(decoded(Content, rest).language).toBe('vi');
    expect(decoded(Content, { ...rest, language: 'en-GB' }).language).toBe('en-GB');
    expect(failures(Content, { ...rest, language: 'vi_VN' })).toEqual([
      { path: 'language', message: 'expected a BCP 47 language tag, e.g. vi or vi-VN' },
    ]);
  });

  it('defaults tags to [] and accepts optional summary, section, slug', () => {
    const content = decoded(Content, {
      ...seedContent(),
      summary: 'Tóm tắt',
      section: 'Thời sự',
      slug: 'hai-phong-phai-di-dau',
      tags: ['Nghị quyết 45', 'Hải Phòng'],
    });
    expect(content.tags).toEqual(['Nghị quyết 45', 'Hải Phòng']);
    expect(content.slug).toBe('hai-phong-phai-di-dau');
    expect(paths(Content, { ...seedContent(), slug: 'Hải-Phòng' })).toEqual(['slug']);
    expect(paths(Content, { ...seedContent(), tags: ['ok', ' '] })).toEqual(['tags.1']);
  });

  it('rejects unknown keys with their path instead of dropping them', () => {
    const blocks = [...(fixture['blocks'] as object[])];
    blocks[1] = { kind: 'image', caption: 'Quang cảnh Hội nghị', colour: 'red' };
    expect(failures(Content, { ...seedContent(), blocks, author: 'x' })).toEqual([
      { path: 'blocks.1.colour', message: 'unknown property "colour"' },
      { path: 'author', message: 'unknown property "author"' },
    ]);
  });

  it('reports missing required fields as required', () => {
    expect(failures(Content, { blocks: [{ kind: 'paragraph', text: 'x' }] })).toEqual([
      { path: 'headline', message: 'required' },
      { path: 'byline', message: 'required' },
      { path: 'publisher', message: 'required' },
    ]);
  });

  it('bounds the headline at 500 characters (code points)', () => {
    const ok = 'ả'.repeat(500);
    expect(decoded(Content, { ...seedContent(), headline: ok }).headline).toBe(ok);
    expect(failures(Content, { ...seedContent(), headline: `${ok}ả` })).toEqual([
      { path: 'headline', message: 'must be at most 500 characters (got 501)' },
    ]);
    expect(paths(Content, { ...seedContent(), headline: '  ' })).toEqual(['headline']);
  });

  it('requires at least one block', () => {
    expect(failures(Content, { ...seedContent(), blocks: [] })).toEqual([
      { path: 'blocks', message: 'must have at least 1 item' },
    ]);
  });

  it('rejects a non-string publisher field and a missing name at their paths', () => {
    expect(paths(Publisher, { name: 'Cổng', phone: 80031274 })).toEqual(['phone']);
    expect(failures(Publisher, { portalTitle: 'Cổng' })).toEqual([
      { path: 'name', message: 'required' },
    ]);
    expect(paths(Content, { ...seedContent(), publisher: { name: ' ' } })).toEqual([
      'publisher.name',
    ]);
  });
});

describe('Block', () => {
  it.each([
    [{ kind: 'paragraph', text: 'Ngày 8/4' }],
    [{ kind: 'heading', level: 2, text: 'Buổi chiều' }],
    [{ kind: 'heading', level: 6, text: 'Buổi chiều' }],
    [{ kind: 'quote', text: 'Hải Phòng phải đi đầu', attribution: 'Lê Văn Thành' }],
    [{ kind: 'quote', text: 'Hải Phòng phải đi đầu' }],
    [{ kind: 'list', ordered: false, items: ['một', 'hai'] }],
    [{ kind: 'image', caption: 'Quang cảnh Hội nghị' }],
    [
      {
        kind: 'image',
        caption: 'Quang cảnh',
        credit: 'Ảnh: Hoàng Tùng',
        src: 'https://haiphong.gov.vn/a.jpg',
        alt: 'Hội trường',
      },
    ],
  ])('accepts %j', (block) => {
    expect(decoded(Block, block)).toEqual(block);
  });

  it.each([
    [{ kind: 'heading', level: 1, text: 'x' }, 'level'],
    [{ kind: 'heading', level: 2 }, 'text'],
    [{ kind: 'quote', text: 'x', attribution: '' }, 'attribution'],
    [{ kind: 'list', ordered: 'yes', items: ['x'] }, 'ordered'],
    [{ kind: 'list', ordered: true, items: [] }, 'items'],
    [{ kind: 'list', ordered: true, items: ['x', ''] }, 'items.1'],
    [{ kind: 'image', caption: 'x', src: '/relative.jpg' }, 'src'],
    [{ kind: 'video', url: 'x' }, 'kind'],
    [{ text: 'x' }, 'kind'],
    [{ kind: 'paragraph', text: 'x\ud800' }, 'text'],
  ])('rejects %j at %s', (block, path) => {
    expect(paths(Block, block)).toEqual([path]);
  });
});
