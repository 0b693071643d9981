/**
 * The export's lines, from `from` (exclusive; the log's start when absent): the header, every
 * event in the log's order with its leaf index, each tree head right after the event that
 * brings the log to its size (with a consistency proof from the previous head, from the stored
 * tree), any head past the log's end, and the end line.
 */
import type {
  Position,
  PostgresEventStore,
  SqlQueryable,
  StoredEvent,
} from '@newsroom/event-store';
import { nodesCovering } from '@newsroom/event-store';
import { storedConsistency } from '../tree/proofs.js';
import { headWindow } from '../tree/head-window.js';
import { headPages, lastHeadWithin, latestHeadNumber } from '../tree/sql/heads.js';
import type { TreeHeadRow } from '../tree/sql/heads.js';
import { leafIndexOf, nodeKey, readNodes } from '../tree/sql/nodes.js';
import { treeSize } from '../tree/sql/tree.js';
import { eventLineHead, eventLineTail, EXPORT_FORMAT } from './lines.js';
import { rawLines } from './raw-lines.js';
import type { ExportHead, ExportLine } from './lines.js';

/** The export's first event is not in the tree yet (it grows within AUDIT_TREE_POLL_MS). */
export class NotInTreeYet extends Error {
  readonly _tag = 'NotInTreeYet';
}

const asHead = (h: TreeHeadRow): ExportHead => ({
  number: h.number,
  treeSize: h.treeSize,
  rootHash: h.rootHash,
  time: h.time,
  note: h.note,
});

export interface ExportSource {
  readonly store: Pick<PostgresEventStore, 'readAllStored' | 'streamAllRows'>;
  readonly db: SqlQueryable;
  /** The audit schema, quoted. */
  readonly schema: string;
  readonly origin: string;
  readonly verifierKey: string;
  readonly now: () => Date;
}

const startOf = async (source: ExportSource, from: Position | undefined): Promise<number> => {
  if (from === undefined) return 0;
  const [first] = await source.store.readAllStored({ fromPosition: from, maxCount: 1 });
  if (first === undefined) return treeSize(source.db, source.schema);
  const index = await leafIndexOf(source.db, source.schema, first.id);
  if (index === undefined) throw new NotInTreeYet(`event ${first.id} is not in the tree yet`);
  return index;
};

/** An event's line, written around its stored body (canonical JSON, so embedded as it is). */
const eventLine = (e: StoredEvent, leafIndex: number): string =>
  eventLineHead(
    leafIndex,
    e.position.transactionId,
    e.position.sequence,
    e.streamName,
    e.revision,
    e.id,
    e.type,
    e.recordedAt.getTime(),
  ) +
  e.body +
  eventLineTail(e.previousHash, e.hash);

/** A page of the log being written out: its events, and other lines in their places. */
interface Page {
  readonly count: number;
  /** Writes event `i` of the page as the line of leaf `leaf`. */
  readonly event: (i: number, leaf: number) => void;
  readonly line: (text: string) => void;
  /** The page's lines, each ending in a newline. */
  readonly take: () => string | Buffer | undefined;
}

/** A page of stored events, written as text. */
const textPage = (events: readonly StoredEvent[]): Page => {
  const lines: string[] = [];
  return {
    count: events.length,
    event: (i, leaf) => void lines.push(eventLine(events[i]!, leaf)),
    line: (text) => void lines.push(text),
    take: () => (lines.length === 0 ? undefined : `${lines.join('\n')}\n`),
  };
};

/**
 * The log after `from`, a page at a time: streamed in one binary COPY where the store can
 * (PostgreSQL), each body's bytes written out as they came; else read a page ahead while one
 * is written out (PGlite).
 */
async function* pagesOf(
  store: ExportSource['store'],
  from: Position | undefined,
  pageSize: number,
): AsyncGenerator<Page> {
  if (store.streamAllRows !== undefined) {
    const raw = rawLines();
    for await (const rows of store.streamAllRows(from)) {
      yield {
        count: rows.length,
        event: (i, leaf) => raw.event(rows[i]!, leaf),
        line: raw.line,
        take: raw.take,
      };
    }
    return;
  }
  const read = (after: Position | undefined) =>
    store.readAllStored({
      ...(after === undefined ? {} : { fromPosition: after }),
      maxCount: pageSize,
    });
  let next = read(from);
  for (;;) {
    const page = await next;
    const last = page[page.length - 1];
    if (page.length === pageSize && last !== undefined) {
      next = read(last.position);
      next.catch(() => undefined); // awaited on the next turn
    }
    yield textPage(page);
    if (page.length < pageSize) return;
  }
}

/**
 * The export as NDJSON, in chunks of whole lines (each ending in a newline): the header alone
 * first (a refusal comes before any byte is sent), then a page of the log at a time, then the
 * heads past the log's end and the end line.
 */
export async function* exportChunks(
  source: ExportSource,
  from: Position | undefined,
  pageSize = 5_000,
  headPageSize = 1_000,
): AsyncGenerator<string | Buffer> {
  const { db, schema } = source;
  // The heads signed before the log is read: none covers more than the export will hold.
  const through = await latestHeadNumber(db, schema);
  const start = await startOf(source, from);
  const edgeKeys = nodesCovering(0, start);
  const edge = await readNodes(db, schema, edgeKeys);
  const anchor = await lastHeadWithin(db, schema, start);
  const pending = headWindow(headPages(db, schema, through), anchor?.number ?? 0, headPageSize);
  const line = (value: ExportLine) => JSON.stringify(value);
  yield `${line({
    kind: 'header',
    format: EXPORT_FORMAT,
    origin: source.origin,
    verifierKey: source.verifierKey,
    leafIndex: start,
    frontier: edgeKeys.map((k) => edge.get(nodeKey(k))?.toString('hex') ?? ''),
    anchor: anchor === undefined ? null : asHead(anchor),
    exportedAt: source.now().toISOString(),
  })}\n`;
  let previous = anchor;
  let emitted = 0;
  const headLine = async (head: TreeHeadRow, proved: boolean): Promise<string> => {
    const consistency =
      previous === undefined || !proved
        ? null
        : {
            fromSize: previous.treeSize,
            proof: (
              await storedConsistency(db, schema, previous.treeSize, head.treeSize)
            ).proof.map((p) => p.toString('hex')),
          };
    previous = head;
    emitted++;
    return line({ kind: 'tree-head', head: asHead(head), consistency });
  };
  let leaf = start;
  for await (const page of pagesOf(source.store, from, pageSize)) {
    for (let i = 0; i < page.count; i++) {
      page.event(i, leaf);
      leaf++;
      for (;;) {
        if (pending.needsFill()) await pending.fill();
        const head = pending.first();
        if (head === undefined || head.treeSize > leaf) break;
        pending.take();
        // A head smaller than the one before it has no proof from it: the verifier says so.
        page.line(
          await headLine(head, previous === undefined || head.treeSize >= previous.treeSize),
        );
      }
    }
    const chunk = page.take();
    if (chunk !== undefined) yield chunk;
  }
  const tail: string[] = [];
  for (await pending.fill(); pending.first() !== undefined; await pending.fill()) {
    tail.push(await headLine(pending.take(), false)); // past the log's end
  }
  tail.push(line({ kind: 'end', events: leaf - start, treeHeads: emitted, treeSize: leaf }));
  yield `${tail.join('\n')}\n`;
}
