/**
 * Drops a processor's read model and sends it back to the start of the log, in one
 * transaction: its own `truncate`, its marks and progress, under a new fencing token (the
 * instance running it, if any, is fenced off at its next commit and replays from the start).
 */
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { Processor } from '../processor.js';
import { resetProcessor } from './reset-processor.js';
import { takeFence } from './take-fence.js';

export const resetReadModel = async (
  sql: SqlDriver,
  processor: Processor,
  owner: string,
  log: (line: Record<string, unknown>) => void,
): Promise<bigint> =>
  sql.transaction(async (tx) => {
    // First wait out the batches in flight and hold back new ones (every batch's transaction
    // opens on the marks): a batch holding its marks and rows while this one waits for them
    // would otherwise wait in turn for the progress row taken below, a deadlock.
    await tx.query(`LOCK TABLE ${quoteIdent(processor.schema)}.processor_marks IN EXCLUSIVE MODE`);
    const { fence } = await takeFence(tx, processor.schema, processor.name, owner);
    await processor.truncate({ sql: tx, schema: quoteIdent(processor.schema), log });
    await resetProcessor(tx, processor.schema, processor.name, fence, processor.version);
    return fence;
  });
