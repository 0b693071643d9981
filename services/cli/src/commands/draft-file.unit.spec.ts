import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentOfJson, contentOfText, DEFAULT_PUBLISHER } from './draft-file.js';

const fixture = JSON.parse(
  readFileSync(
    new URL('../../../../tests/fixtures/haiphong-portal-2019-04-08.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

describe('a draft from a file', () => {
  it("takes the portal's structured view as content: its texts untouched, its own notes left out", () => {
    const content = contentOfJson(fixture);
    expect(Object.keys(content).sort()).toEqual([
      'blocks',
      'byline',
      'headline',
      'language',
      'publisher',
    ]);
    expect(content).toMatchObject({
      headline: fixture['headline'],
      byline: fixture['byline'],
      publisher: fixture['publisher'],
      blocks: fixture['blocks'],
    });
    expect(contentOfJson({ headline: 'h' })['publisher']).toEqual({ name: DEFAULT_PUBLISHER });
    expect(() => contentOfJson([1])).toThrow(/an object/);
  });

  it('reads plain text as headline, date line, paragraphs and byline, byte for byte', () => {
    const text =
      'Hải Phòng phải đi đầu trong sáng tạo\r\nThời gian: 08/04/2019 20:59\r\n\r\n' +
      'Ngày 8/4, đồng chí Lê Văn Thành chủ trì Hội nghị.\r\n\r\n\r\n' +
      'Dự thảo gồm 3 nội dụng chính:\r\ntình hình, kết quả  (hai dấu cách).\r\n\r\nHoàng Tùng\r\n';
    expect(contentOfText(text)).toEqual({
      headline: 'Hải Phòng phải đi đầu trong sáng tạo',
      byline: 'Hoàng Tùng',
      language: 'vi',
      publisher: { name: DEFAULT_PUBLISHER },
      blocks: [
        { kind: 'paragraph', text: 'Ngày 8/4, đồng chí Lê Văn Thành chủ trì Hội nghị.' },
        {
          kind: 'paragraph',
          text: 'Dự thảo gồm 3 nội dụng chính:\ntình hình, kết quả  (hai dấu cách).',
        },
      ],
    });
    // The date line may stand apart, or be missing; the publisher and language may be given.
    const apart = contentOfText('Tiêu đề\n\n08/04/2019\n\nĐoạn một.\n\nTác giả', {
      publisher: 'Cổng TTĐT',
      language: 'en',
    });
    expect(apart).toMatchObject({ headline: 'Tiêu đề', byline: 'Tác giả', language: 'en' });
    expect(apart.blocks).toEqual([{ kind: 'paragraph', text: 'Đoạn một.' }]);
    expect(apart.publisher).toEqual({ name: 'Cổng TTĐT' });
    expect(contentOfText('Tiêu đề\n\nĐoạn.\n\nTác giả').blocks).toHaveLength(1);
    expect(() => contentOfText('')).toThrow(/empty/);
    expect(() => contentOfText('Tiêu đề\n\nTác giả')).toThrow(/headline, paragraphs and a byline/);
  });
});
