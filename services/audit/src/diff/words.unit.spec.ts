/** Word diffs: every edit script rebuilds both texts, and a Vietnamese syllable is one unit. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffWords, tokens } from './words.js';

const rebuild = (parts: ReturnType<typeof diffWords>, side: 'from' | 'to') =>
  parts
    .filter((p) => p.op === 'equal' || p.op === (side === 'from' ? 'delete' : 'insert'))
    .map((p) => p.text)
    .join('');

describe('word diffs', () => {
  it('marks a changed syllable whole, with its diacritics', () => {
    expect(diffWords('trước Đại hội VIII của Đảng', 'trước Đại hội XIII của Đảng')).toEqual([
      { op: 'equal', text: 'trước Đại hội ' },
      { op: 'delete', text: 'VIII' },
      { op: 'insert', text: 'XIII' },
      { op: 'equal', text: ' của Đảng' },
    ]);
    expect(diffWords('Bí thư Thành uỷ', 'Bí thư Thành ủy')).toEqual([
      { op: 'equal', text: 'Bí thư Thành ' },
      { op: 'delete', text: 'uỷ' },
      { op: 'insert', text: 'ủy' },
    ]);
    // A syllable written with combining marks is the same unit as its NFC form.
    expect(tokens('Thành ủy'.normalize('NFD'))).toEqual(['Thành', ' ', 'ủy']);
    expect(tokens('ngày 8/4, họp.')).toEqual(['ngày', ' ', '8', '/', '4', ',', ' ', 'họp', '.']);
  });

  it('equal texts are one equal part; insertions and deletions alone are marked as such', () => {
    expect(diffWords('Hải Phòng', 'Hải Phòng')).toEqual([{ op: 'equal', text: 'Hải Phòng' }]);
    expect(diffWords('', 'Mới')).toEqual([{ op: 'insert', text: 'Mới' }]);
    expect(diffWords('Cũ', '')).toEqual([{ op: 'delete', text: 'Cũ' }]);
  });

  it('rebuilds both texts from every edit script', () => {
    const syllable = fc.constantFrom(
      'Hải',
      'Phòng',
      'uỷ',
      'ủy',
      'Đại',
      'hội',
      'VIII',
      'XIII',
      ',',
      '.',
      ' ',
      '  ',
      '8/4',
    );
    const text = fc.array(syllable, { maxLength: 30 }).map((s) => s.join(''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const parts = diffWords(a, b);
        expect(rebuild(parts, 'from')).toBe(a);
        expect(rebuild(parts, 'to')).toBe(b);
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});
