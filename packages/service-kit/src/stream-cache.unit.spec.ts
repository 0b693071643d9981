/** The fold cache's bounds: by count and by size, least recently used out first. */
import { describe, expect, it } from 'vitest';
import { approximateBytes, StreamCache } from './command-handler.js';

const fold = (text: string, revision = 0n) => ({
  state: { content: { blocks: [{ kind: 'paragraph', text }] } },
  revision,
  commands: new Map<string, bigint>(),
});

describe('StreamCache', () => {
  it('keeps the bytes it holds under its bound, dropping the least recently used', () => {
    const cache = new StreamCache<unknown>(10_000, 4 * 1024 * 1024);
    const big = 'ạ'.repeat(440_000); // an 880 KB article (UTF-16)
    for (let i = 0; i < 50; i++) {
      cache.set(`article-${i}`, fold(big));
      expect(cache.usage.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    expect(cache.usage.streams).toBe(4);
    expect(cache.get('article-0')).toBeUndefined();
    expect(cache.get('article-49')).toBeDefined();
  });

  it('does not keep one stream larger than a quarter of its bound', () => {
    const cache = new StreamCache<unknown>(10, 1024 * 1024);
    cache.set('article-huge', fold('x'.repeat(200_000)));
    expect(cache.usage).toEqual({ streams: 0, bytes: 0 });
  });

  it('still bounds by count, and a newer fold replaces an older one', () => {
    const cache = new StreamCache<unknown>(2);
    cache.set('a', fold('1'));
    cache.set('b', fold('2'));
    cache.get('a');
    cache.set('c', fold('3'));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([
      true,
      false,
      true,
    ]);
    cache.set('a', fold('4', 5n));
    cache.set('a', fold('5', 3n)); // an older fold never replaces a newer one
    expect(cache.get('a')?.revision).toBe(5n);
    expect(cache.usage.streams).toBe(2);
  });

  it('approximates two bytes per UTF-16 unit of text', () => {
    const bytes = approximateBytes({ text: 'a'.repeat(1000) });
    expect(bytes).toBeGreaterThanOrEqual(2000);
    expect(bytes).toBeLessThan(2200);
  });
});
