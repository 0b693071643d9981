/**
 * Verifies an export with no database, from its lines and the log's verifier key alone: each
 * line decoded by the export's codec; every event's hash recomputed from its body's bytes as
 * the line holds them (which must be the canonical text that was stored: an equivalent
 * rewriting of it is refused) and chained on its stream's previous event; the tree regrown from the
 * header's edge and each tree head checked where the log reaches its size (signature, order,
 * time, root) with its consistency proof from the previous head (a proof too long, too short
 * or not wholly used is refused); and the end line's counts, so that a cut-off file fails.
 * Names the first bad line and why.
 */
import type { KeyObject } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf } from '@newsroom/contracts';
import type { IntegrityViolation } from '@newsroom/event-store';
import {
  eventHash,
  leafHash,
  storedBodyProblem,
  TreeFrontier,
  verifyConsistency,
  ZERO_HASH,
} from '@newsroom/event-store';
import { headSequence } from '../verify/tree-heads.js';
import type { HeadSequence } from '../verify/tree-heads.js';
import { eventLineTail, ExportLine } from './lines.js';
import type { ExportEvent, ExportHead, ExportHeader } from './lines.js';

export interface ExportReport {
  readonly ok: boolean;
  readonly lines: number;
  readonly events: number;
  readonly streams: number;
  /** Streams that began before the export's first event (their earlier chain is not in it). */
  readonly streamsBegunBefore: number;
  readonly treeHeads: number;
  readonly lastTreeHead: {
    readonly number: number;
    readonly treeSize: number;
    readonly time: string;
  } | null;
  /** Events after the last tree head (or anchor): verified by their chains, not yet signed. */
  readonly eventsAfterLastTreeHead: number;
  readonly violation?: { readonly line: number; readonly reason: string };
}

const BODY_START = ',"body":';
const HEX64 = '[0-9a-f]{64}';
const TAIL = new RegExp(`^,"previousHash":"${HEX64}","hash":"${HEX64}"}$`);
const TAIL_LENGTH = eventLineTail('', '').length + 128;

/**
 * The body's text, as the event's line holds it: between its first `,"body":` (a member name
 * cannot occur inside a string, whose quotes are escaped) and the two hashes that end the line.
 */
const rawBody = (line: string): string | undefined => {
  const start = line.indexOf(BODY_START);
  const end = line.length - TAIL_LENGTH;
  if (start < 0 || end <= start || !TAIL.test(line.slice(end))) return undefined;
  return line.slice(start + BODY_START.length, end);
};

const headReason = (v: IntegrityViolation) =>
  `tree head ${v.kind === 'tree-head' ? v.number : '?'}: ${v.reason}`;

export const verifyExport = async (
  lines: AsyncIterable<string>,
  key: { readonly name: string; readonly publicKey: KeyObject },
): Promise<ExportReport> => {
  let header: ExportHeader | undefined;
  let frontier = new TreeFrontier();
  let sequence: HeadSequence | undefined;
  let previous: ExportHead | undefined;
  let lastPosition: [bigint, bigint] | undefined;
  const streams = new Map<string, { revision: bigint; hash: string }>();
  let begunBefore = 0;
  let [n, events, heads, ended] = [0, 0, 0, false];

  const report = (violation?: { line: number; reason: string }): ExportReport => ({
    ok: violation === undefined,
    lines: n,
    events,
    streams: streams.size,
    streamsBegunBefore: begunBefore,
    treeHeads: heads,
    lastTreeHead:
      previous === undefined
        ? null
        : { number: previous.number, treeSize: previous.treeSize, time: previous.time },
    eventsAfterLastTreeHead:
      frontier.size - Math.max(previous?.treeSize ?? 0, header?.leafIndex ?? 0),
    ...(violation === undefined ? {} : { violation }),
  });

  const event = (e: ExportEvent, line: string): string | undefined => {
    if (e.leafIndex !== frontier.size)
      return `leaf index ${e.leafIndex} out of turn: expected ${frontier.size}`;
    const position: [bigint, bigint] = [
      BigInt(e.position.transactionId),
      BigInt(e.position.sequence),
    ];
    if (
      lastPosition !== undefined &&
      (position[0] < lastPosition[0] ||
        (position[0] === lastPosition[0] && position[1] <= lastPosition[1]))
    ) {
      return 'the position does not follow the previous event: the log is out of order';
    }
    lastPosition = position;
    const stream = streams.get(e.streamName);
    const revision = BigInt(e.revision);
    if (stream === undefined) {
      if (header!.leafIndex === 0 && (revision !== 0n || e.previousHash !== ZERO_HASH)) {
        return `the stream's first event is revision ${e.revision}: earlier events are missing`;
      }
      if (revision !== 0n) begunBefore++;
    } else {
      if (revision !== stream.revision + 1n) {
        return `revision ${e.revision} after ${stream.revision}: an event is missing or moved`;
      }
      if (e.previousHash !== stream.hash) return 'previous hash does not match the stream chain';
    }
    const text = rawBody(line);
    if (text === undefined)
      return "the event line is not in the export's form: its body cannot be told apart";
    const recomputed = eventHash(
      e.previousHash,
      e.streamName,
      revision,
      new Date(e.recordedAtMs),
      text,
    );
    if (recomputed !== e.hash) return 'hash does not match the content: the event was altered';
    const body = storedBodyProblem({ body: text, event_id: e.eventId, event_type: e.type });
    if (body !== undefined) return body;
    streams.set(e.streamName, { revision, hash: e.hash });
    frontier.push(leafHash(Buffer.from(e.hash, 'hex')));
    events++;
    return undefined;
  };

  const treeHead = (
    head: ExportHead,
    consistency: { fromSize: number; proof: string[] } | null,
  ): string | undefined => {
    sequence ??= headSequence(key.name, key.publicKey, {
      number: head.number - 1,
      size: 0,
      time: '',
    });
    if (head.treeSize !== frontier.size) {
      return `tree head ${head.number} covers ${head.treeSize} events, but it comes where the log holds ${frontier.size}: events were removed or added`;
    }
    const bad = sequence.check(head, frontier.root().toString('hex'), frontier.size);
    if (bad) return headReason(bad);
    if (previous !== undefined) {
      const proof = consistency?.proof.map((p) => Buffer.from(p, 'hex'));
      if (
        consistency === null ||
        consistency.fromSize !== previous.treeSize ||
        !verifyConsistency(
          previous.treeSize,
          head.treeSize,
          proof!,
          Buffer.from(previous.rootHash, 'hex'),
          Buffer.from(head.rootHash, 'hex'),
        )
      ) {
        return `tree head ${head.number}: its consistency proof from tree head ${previous.number} does not verify`;
      }
    }
    previous = head;
    heads++;
    return undefined;
  };

  for await (const text of lines) {
    n++;
    if (text === '') continue;
    if (ended) return report({ line: n, reason: 'a line after the end line' });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return report({ line: n, reason: 'not JSON' });
    }
    const decoded = ExportLine.decode(json);
    if (E.isLeft(decoded)) {
      const paths = fieldErrorsOf(decoded.left).errors.map((e) => e.path || '(line)');
      return report({
        line: n,
        reason: `not an export line: ${[...new Set(paths)].slice(0, 5).join(', ')}`,
      });
    }
    const line = decoded.right;
    if (header === undefined && line.kind !== 'header')
      return report({ line: n, reason: 'the export does not begin with its header' });
    let problem: string | undefined;
    switch (line.kind) {
      case 'header': {
        if (header !== undefined) return report({ line: n, reason: 'a second header' });
        header = line;
        if (line.origin !== key.name)
          return report({
            line: n,
            reason: `the export is of log ${line.origin}, the key of ${key.name}`,
          });
        try {
          frontier = new TreeFrontier(
            line.leafIndex,
            line.frontier.map((h) => Buffer.from(h, 'hex')),
          );
        } catch (error) {
          return report({
            line: n,
            reason: `the tree's edge: ${String((error as Error).message)}`,
          });
        }
        if (line.anchor !== null) {
          sequence = headSequence(key.name, key.publicKey, {
            number: line.anchor.number - 1,
            size: 0,
            time: '',
          });
          const bad =
            line.anchor.treeSize === line.leafIndex
              ? sequence.check(line.anchor, frontier.root().toString('hex'), line.leafIndex)
              : sequence.signed(line.anchor);
          if (bad) return report({ line: n, reason: `the anchor: ${headReason(bad)}` });
          previous = line.anchor;
        } else if (line.leafIndex === 0) {
          sequence = headSequence(key.name, key.publicKey);
        }
        break;
      }
      case 'event':
        problem = event(line, text);
        break;
      case 'tree-head':
        problem = treeHead(line.head, line.consistency);
        break;
      case 'end':
        ended = true;
        if (line.events !== events || line.treeHeads !== heads || line.treeSize !== frontier.size) {
          problem = `the end line counts ${line.events} events, ${line.treeHeads} tree heads and a tree of ${line.treeSize}; the export holds ${events}, ${heads} and ${frontier.size}`;
        }
        break;
      default: {
        const never: never = line;
        return never;
      }
    }
    if (problem !== undefined) return report({ line: n, reason: problem });
  }
  if (!ended)
    return report({ line: n, reason: 'the export ends before its end line: it was cut off' });
  return report();
};
