/**
 * Built feeds kept while the syndication log has not moved: the same request (format, origin,
 * query) at the same log number gets the same bytes without a query or a rebuild. Bounded: the
 * oldest entry goes first past `max`.
 */
export interface BuiltFeed {
  readonly seq: number;
  readonly body: string;
  readonly etag: string;
  readonly lastModified: Date | undefined;
}

export const feedCache = (max = 500) => {
  const entries = new Map<string, BuiltFeed>();
  return {
    get: (key: string, seq: number | undefined): BuiltFeed | undefined => {
      const hit = entries.get(key);
      return hit !== undefined && seq !== undefined && hit.seq === seq ? hit : undefined;
    },
    set: (key: string, feed: BuiltFeed): void => {
      entries.delete(key);
      entries.set(key, feed);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
};
