/**
 * Every kind of document the system emits is valid against IPTC's ninjs 3.1 schema (ajv,
 * draft 2020-12, the schema read from NINJS_SCHEMA): published, corrected, embargoed and
 * released, unpublished, retracted; and the texts in it are the stored texts, unchanged.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Content } from '@newsroom/contracts';
import { ninjsValidator } from '../../../../tests/ninjs/validator.js';
import { articleUri, toNinjs } from './ninjs.js';
import type { ArticleSnapshot } from './ninjs.js';

const fixture = JSON.parse(
  readFileSync(
    new URL('../../../../tests/fixtures/haiphong-portal-2019-04-08.json', import.meta.url),
    'utf8',
  ),
) as {
  headline: string;
  byline: string;
  language: string;
  publisher: Content['publisher'];
  blocks: Content['blocks'];
};
const content: Content = {
  headline: fixture.headline,
  byline: fixture.byline,
  language: fixture.language,
  tags: ['Thành ủy', 'Đại hội'],
  section: 'Thời sự',
  publisher: fixture.publisher,
  blocks: fixture.blocks,
};
const id = '6f1c1d2e-7a8b-4c9d-8e0f-112233445566';
const published: ArticleSnapshot = {
  articleId: id,
  version: 1,
  content,
  firstPublishedAt: '2019-04-08T13:59:00.000Z',
  updatedAt: '2019-04-08T13:59:00.000Z',
  embargoedUntil: null,
  corrections: [],
  status: 'published',
  notice: null,
};
const notice = 'Đính chính: đúng là "Đại hội XIII" của Đảng.';
const kinds: Record<string, ArticleSnapshot> = {
  published,
  corrected: {
    ...published,
    version: 2,
    updatedAt: '2019-04-09T02:00:00.000Z',
    corrections: [{ version: 2, notice, at: '2019-04-09T02:00:00.000Z' }],
  },
  'released after an embargo': { ...published, embargoedUntil: '2019-04-08T13:59:00.000Z' },
  unpublished: { ...published, status: 'unpublished', updatedAt: '2019-04-10T00:00:00.000Z' },
  retracted: { ...published, status: 'retracted', notice: 'Bài viết bị thu hồi.' },
  'with markup in its text': {
    ...published,
    content: {
      ...content,
      summary: 'Tóm tắt <b>in đậm</b> & "trích dẫn"',
      blocks: [
        { kind: 'paragraph', text: 'Đoạn có <script>alert(1)</script> bên trong' },
        { kind: 'heading', level: 2, text: 'Tiêu đề phụ' },
        { kind: 'quote', text: 'Trích dẫn', attribution: 'Bí thư Thành ủy' },
        { kind: 'list', ordered: true, items: ['Một', 'Hai'] },
        {
          kind: 'image',
          caption: 'Hội nghị',
          credit: 'Ảnh: Hoàng Tùng',
          src: 'https://haiphong.gov.vn/a.jpg',
          alt: 'Toàn cảnh',
        },
      ],
    },
  },
};

describe('ninjs 3.1 documents', () => {
  const validator = ninjsValidator();

  it('IPTC example validates (the validator itself works)', () => {
    const schema = process.env['NINJS_SCHEMA']!;
    const example = JSON.parse(
      readFileSync(
        schema.replace('ninjs-schema_3.1.json', 'ninjs-3.1-example-text-article.json'),
        'utf8',
      ),
    ) as unknown;
    expect(validator.errorsOf(example)).toEqual([]);
    expect(validator.errorsOf({ uri: 'urn:x', headline: 'not a ninjs property' })).not.toEqual([]);
  });

  it.each(Object.entries(kinds))('a %s document is valid against the schema', (_kind, snapshot) => {
    expect(validator.errorsOf(toNinjs(snapshot))).toEqual([]);
  });

  it('carries the stored texts unchanged, the version, the times with +07:00, and the notices', () => {
    const doc = toNinjs(kinds['corrected']!);
    expect(doc).toMatchObject({
      uri: articleUri(id),
      version: '2',
      pubStatus: 'usable',
      firstCreated: '2019-04-08T20:59:00+07:00',
      versionCreated: '2019-04-09T09:00:00+07:00',
      language: 'vi',
      by: 'Hoàng Tùng',
      headlines: [{ role: 'main', contentType: 'text/plain', value: fixture.headline }],
      descriptions: [{ role: 'correction', contentType: 'text/plain', value: notice }],
      subjects: [
        { name: 'Thời sự', rel: 'section' },
        { name: 'Thành ủy', rel: 'tag' },
        { name: 'Đại hội', rel: 'tag' },
      ],
      copyrightNotice: `© ${fixture.publisher.name}`,
    });
    const bodies = doc['bodies'] as { role: string; value: string }[];
    const plain = bodies.find((b) => b.role === 'main')!.value;
    for (const block of fixture.blocks) {
      expect(plain).toContain(
        block.kind === 'paragraph' ? block.text : (block as { caption: string }).caption,
      );
    }
  });

  it('a canceled document offers no body; a retraction carries its notice', () => {
    const retracted = toNinjs(kinds['retracted']!);
    expect(retracted['pubStatus']).toBe('canceled');
    expect(retracted['bodies']).toBeUndefined();
    expect(retracted['descriptions']).toEqual([
      { role: 'retraction', contentType: 'text/plain', value: 'Bài viết bị thu hồi.' },
    ]);
    expect(toNinjs(kinds['unpublished']!)['pubStatus']).toBe('canceled');
  });

  it('escapes markup in texts: it reaches readers as text, never as tags', () => {
    const doc = toNinjs(kinds['with markup in its text']!);
    const html = (doc['bodies'] as { role: string; value: string }[]).find(
      (b) => b.role === 'richtext',
    )!.value;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<p>Đoạn có ');
    expect(html).toContain('<img src="https://haiphong.gov.vn/a.jpg" alt="Toàn cảnh" />');
    expect(html).toContain('<ol><li>Một</li><li>Hai</li></ol>');
  });
});
