/**
 * Signed tree heads read a page at a time, oldest first, as a reader takes them: the export
 * (a page when it runs out) and the store's verify (every head up to a size, before each page
 * of the log), so that neither holds every head ever signed.
 */

/** Heads after number `after`, oldest first, at most `limit` of them. */
export type HeadPages<H> = (after: number, limit: number) => Promise<readonly H[]>;

export interface HeadWindow<H> {
  /** The next head read and not taken; undefined when none is at hand. */
  readonly first: () => H | undefined;
  readonly take: () => H;
  /** Whether the window is empty and the heads are not exhausted: `fill` would read a page. */
  readonly needsFill: () => boolean;
  /** Reads the next page when `needsFill`. */
  readonly fill: () => Promise<void>;
  /** Reads pages until a head of more than `size` leaves is at hand, or none is left. */
  readonly fillPast: (size: number) => Promise<void>;
}

export const headWindow = <H extends { readonly number: number; readonly treeSize: number }>(
  pages: HeadPages<H>,
  after: number,
  pageSize = 1_000,
): HeadWindow<H> => {
  const window: H[] = [];
  let [last, exhausted] = [after, false];
  const more = async () => {
    const page = await pages(last, pageSize);
    window.push(...page);
    last = page[page.length - 1]?.number ?? last;
    exhausted = page.length < pageSize;
  };
  return {
    first: () => window[0],
    take: () => window.shift()!,
    needsFill: () => window.length === 0 && !exhausted,
    fill: async () => {
      if (window.length === 0 && !exhausted) await more();
    },
    fillPast: async (size) => {
      while (!exhausted && (window.length === 0 || window[window.length - 1]!.treeSize <= size)) {
        await more();
      }
    },
  };
};
