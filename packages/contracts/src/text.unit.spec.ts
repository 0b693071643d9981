import { describe, expect, it } from 'vitest';
import {
  boundedText,
  HttpUrl,
  Identifier,
  IsoDateTime,
  LanguageTag,
  NfcText,
  NonEmptyText,
  NonNegativeInt,
  Slug,
  Uuid,
} from './text.js';
import { decoded, messages } from './testing.js';

describe('NfcText', () => {
  const nfc = 'Hải Phòng';
  const nfd = nfc.normalize('NFD');

  it('decodes decomposed (NFD) input to NFC', () => {
    expect(nfd).not.toBe(nfc);
    expect(nfd.length).toBeGreaterThan(nfc.length);
    expect(decoded(NfcText, nfd)).toBe(nfc);
    expect(Buffer.from(decoded(NfcText, nfd), 'utf8').equals(Buffer.from(nfc, 'utf8'))).toBe(true);
  });

  it('changes nothing else: no trimming, no whitespace or punctuation fixing', () => {
    const text = '  Thành uỷ  và Thành ủy\t…\n\u00a0 nội dụng ';
    expect(decoded(NfcText, text)).toBe(text);
    expect(decoded(NfcText, '')).toBe('');
  });

  it('keeps well-formed surrogate pairs (astral characters)', () => {
    expect(decoded(NfcText, 'Hải Phòng 🏙️ 𠀀')).toBe('Hải Phòng 🏙️ 𠀀');
  });

  it.each([
    ['lone high surrogate', 'Hải\ud83c Phòng'],
    ['lone high surrogate at the end', 'Hải Phòng\ud83c'],
    ['lone low surrogate', '\udf06Hải Phòng'],
    ['reversed pair', '\udf06\ud83c'],
  ])('rejects ill-formed UTF-16: %s', (_label, text) => {
    expect(messages(NfcText, text)).toEqual(['ill-formed UTF-16 (lone surrogate)']);
  });

  it('rejects NUL and non-strings', () => {
    expect(messages(NfcText, 'a\u0000b')).toEqual(['must not contain NUL (U+0000)']);
    expect(messages(NfcText, 42)).toEqual(['expected a string']);
    expect(messages(NfcText, null)).toEqual(['expected a string']);
  });

  it('is() accepts only NFC, well-formed strings', () => {
    expect(NfcText.is(nfc)).toBe(true);
    expect(NfcText.is(nfd)).toBe(false);
    expect(NfcText.is('\ud800')).toBe(false);
  });
});

describe('NonEmptyText and bounded text', () => {
  it('rejects empty and whitespace-only text, after NFC', () => {
    expect(messages(NonEmptyText, '')).toEqual(['must not be blank']);
    expect(messages(NonEmptyText, ' \t\n\u00a0\u3000')).toEqual(['must not be blank']);
    expect(decoded(NonEmptyText, ' a ')).toBe(' a ');
  });

  it('counts code points after NFC', () => {
    const Five = boundedText('Five', 5);
    expect(decoded(Five, 'Hải'.normalize('NFD') + 'ồ🏙')).toBe('Hảiồ🏙'.normalize('NFC'));
    expect(messages(Five, 'Hải Phòng')).toEqual(['must be at most 5 characters (got 9)']);
    expect(messages(Five, '   ')).toEqual(['must not be blank']);
    expect(decoded(boundedText('MaybeEmpty', 5, 'any'), '')).toBe('');
  });
});

describe('identifiers, times, tags', () => {
  it('Uuid accepts any case and decodes to lower case', () => {
    expect(decoded(Uuid, '0190C0DE-AB12-7000-8000-00000000000F')).toBe(
      '0190c0de-ab12-7000-8000-00000000000f',
    );
    expect(messages(Uuid, 'not-a-uuid')).toEqual(['expected a UUID']);
    expect(messages(Uuid, '0190c0de-ab12-7000-8000-00000000000')).toEqual(['expected a UUID']);
  });

  it('IsoDateTime requires an offset, a real date and time, and keeps the text verbatim', () => {
    for (const ok of [
      '2019-04-08T20:59:00+07:00',
      '2019-04-08T13:59:00Z',
      '2019-04-08T13:59:00.123Z',
      '2020-02-29T00:00:00-03:30',
    ]) {
      expect(decoded(IsoDateTime, ok)).toBe(ok);
    }
    for (const bad of [
      '2019-04-08T20:59:00',
      '2019-04-08',
      '2019-02-29T00:00:00Z',
      '2019-04-31T00:00:00Z',
      '2019-13-01T00:00:00Z',
      '2019-04-08T24:00:00Z',
      '2019-04-08 20:59:00Z',
      'yesterday',
    ]) {
      expect(IsoDateTime.decode(bad)._tag, bad).toBe('Left');
    }
  });

  it('LanguageTag accepts BCP 47 tags and rejects the rest', () => {
    for (const ok of ['vi', 'vi-VN', 'en', 'zh-Hant-TW', 'es-419', 'en-US-x-portal', 'sr-Latn']) {
      expect(decoded(LanguageTag, ok)).toBe(ok);
    }
    for (const bad of ['', 'vietnamese', 'vi_VN', 'v', 'vi-', '-vi', 'vi VN']) {
      expect(LanguageTag.decode(bad)._tag, bad).toBe('Left');
    }
  });

  it('Slug is lower-case ASCII, digits and single hyphens', () => {
    expect(decoded(Slug, 'hai-phong-di-dau-2019')).toBe('hai-phong-di-dau-2019');
    for (const bad of ['Hai-Phong', 'hải-phòng', 'a--b', '-a', 'a-', 'a b', '']) {
      expect(Slug.decode(bad)._tag, bad).toBe('Left');
    }
  });

  it('HttpUrl accepts absolute http(s) URLs only', () => {
    expect(decoded(HttpUrl, 'https://haiphong.gov.vn/img/1.jpg')).toBe(
      'https://haiphong.gov.vn/img/1.jpg',
    );
    for (const bad of ['/img/1.jpg', 'ftp://x/y', 'javascript:alert(1)', 'https://']) {
      expect(HttpUrl.decode(bad)._tag, bad).toBe('Left');
    }
  });

  it('Identifier and NonNegativeInt', () => {
    expect(decoded(Identifier, 'user:42')).toBe('user:42');
    expect(Identifier.decode('has space')._tag).toBe('Left');
    expect(Identifier.decode('')._tag).toBe('Left');
    expect(decoded(NonNegativeInt, 0)).toBe(0);
    for (const bad of [-1, 1.5, '1', Number.NaN]) {
      expect(NonNegativeInt.decode(bad)._tag).toBe('Left');
    }
  });
});
