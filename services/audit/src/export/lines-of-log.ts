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
import { headWindow, lastHeadWithin, latestHead } from '../tree/sql/heads.js';
import type { TreeHeadRow } from '../tree/sql/heads.js';
import { leafIndexOf, nodeKey, readNodes } from '../tree/sql/nodes.js';
import { treeSize } from '../tree/sql/tree.js';
import { EXPORT_FORMAT } from './lines.js';
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
  readonly store: Pick<PostgresEventStore, 'readAllStored'>;
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
  `{"kind":"event","leafIndex":${leafIndex},"position":{"transactionId":"${e.position.transactionId}","sequence":"${e.position.sequence}"},"streamName":${JSON.stringify(e.streamName)},"revision":"${e.revision}","eventId":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"recordedAtMs":${e.recordedAt.getTime()},"body":${e.body},"previousHash":"${e.previousHash}","hash":"${e.hash}"}`;

/** The export's lines as NDJSON text, one line (no newline) each. */
export async function* linesOfLog(
  source: ExportSource,
  from: Position | undefined,
  pageSize = 5_000,
  headPageSize = 1_000,
): AsyncGenerator<string> {
  for await (const line of exportLines(source, from, pageSize, headPageSize)) {
    yield typeof line === 'string' ? line : JSON.stringify(line);
  }
}

async function* exportLines(
  source: ExportSource,
  from: Position | undefined,
  pageSize: number,
  headPageSize: number,
): AsyncGenerator<ExportLine | string> {
  const { db, schema } = source;
  // The heads signed before the log is read: none covers more than the export will hold.
  const through = (await latestHead(db, schema))?.number ?? 0;
  const start = await startOf(source, from);
  const edgeKeys = nodesCovering(0, start);
  const edge = await readNodes(db, schema, edgeKeys);
  const anchor = await lastHeadWithin(db, schema, start);
  const pending = headWindow(db, schema, anchor?.number ?? 0, through, headPageSize);
  yield {
    kind: 'header',
    format: EXPORT_FORMAT,
    origin: source.origin,
    verifierKey: source.verifierKey,
    leafIndex: start,
    frontier: edgeKeys.map((k) => edge.get(nodeKey(k))?.toString('hex') ?? ''),
    anchor: anchor === undefined ? null : asHead(anchor),
    exportedAt: source.now().toISOString(),
  };
  let previous = anchor;
  let emitted = 0;
  const headLine = async (head: TreeHeadRow, proved: boolean): Promise<ExportLine> => {
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
    return { kind: 'tree-head', head: asHead(head), consistency };
  };
  let leaf = start;
  const read = (after: Position | undefined) =>
    source.store.readAllStored({
      ...(after === undefined ? {} : { fromPosition: after }),
      maxCount: pageSize,
    });
  let next = read(from);
  for (;;) {
    const page = await next;
    const last = page[page.length - 1];
    // The next page is read while this one is written out.
    if (page.length === pageSize && last !== undefined) {
      next = read(last.position);
      next.catch(() => undefined); // awaited on the next turn
    }
    for (const e of page) {
      yield eventLine(e, leaf);
      leaf++;
      for (;;) {
        if (pending.needsFill()) await pending.fill();
        const head = pending.first();
        if (head === undefined || head.treeSize > leaf) break;
        pending.take();
        // A head smaller than the one before it has no proof from it: the verifier says so.
        yield await headLine(head, previous === undefined || head.treeSize >= previous.treeSize);
      }
    }
    if (page.length < pageSize) break;
  }
  for (await pending.fill(); pending.first() !== undefined; await pending.fill()) {
    yield await headLine(pending.take(), false); // past the log's end
  }
  yield { kind: 'end', events: leaf - start, treeHeads: emitted, treeSize: leaf };
}
