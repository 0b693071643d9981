/**
 * Where a processor's messages come from. The runtime opens a source once the processor may
 * run (for an exclusive source: once this instance holds its lock and a fencing token) and
 * hands it the batch applier; the source feeds batches until stopped, and says how far behind
 * its head the processor is.
 */
import type { Position } from '@newsroom/event-store';
import type { BatchApplier } from './apply-batch.js';
import type { Processor } from './processor.js';
import type { Fenced } from './sql/take-fence.js';

/** Thrown out of a feed (any source's) once the processor answered stop: final, not a failure. */
export class ProcessorStoppedError extends Error {
  override readonly name = 'ProcessorStoppedError';
}

export interface Feed {
  /** Resolves when stopped; rejects when feeding failed (the runtime restarts it). */
  readonly done: Promise<void>;
  readonly stop: () => Promise<void>;
}

export interface OpenFeed {
  readonly processor: Processor;
  readonly apply: BatchApplier;
  /** The lock holder's token and position (exclusive sources only). */
  readonly fenced: Fenced | undefined;
  /** Called after each committed batch with the store position it reached, when known. */
  readonly committed: (position: Position | undefined) => void;
}

export interface Lag {
  readonly events: number;
  readonly seconds: number;
}

export interface ProcessorSource {
  /** True when one instance at a time may feed the processor (the store's log); false when
   *  the source shares the work out itself (a Kafka consumer group). */
  readonly exclusive: boolean;
  readonly open: (feed: OpenFeed) => Promise<Feed>;
  /** How far behind the processor is, seen from `position` (the last it committed). */
  readonly lag: (position: Position | undefined) => Promise<Lag>;
  /** For a source whose progress is not a store position: resolves once caught up with its
   *  head. (The store source is waited on through its position instead.) */
  readonly whenCaughtUp?: (timeoutMs: number) => Promise<void>;
}
