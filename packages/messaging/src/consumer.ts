/**
 * The Kafka source of the processor layer: one consumer group per processor, reading the
 * article-events topic. Each partition's messages are applied in offset order (per-key order)
 * by the runtime's batch applier, which records the processed (stream, revision) marks in the
 * transaction that writes the read model; the offsets are committed after that transaction,
 * so a message delivered again (after a crash, a rebalance) finds its mark and changes
 * nothing. The group shares the partitions out between instances, so the source is not
 * exclusive: any number of instances may run.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { ProcessorStoppedError, receivedDelivery } from '@newsroom/processing';
import type { Lag, ProcessorSource } from '@newsroom/processing';

export interface KafkaSourceOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** The consumer group; one per processor (default `<processor schema>.<processor name>`). */
  readonly groupId?: string;
  /** Messages applied in one transaction at most (a fetched batch is split). Default 200. */
  readonly maxBatch?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
}

const header = (
  headers: EachBatchPayload['batch']['messages'][number]['headers'],
  name: string,
) => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

export const kafkaSource = (options: KafkaSourceOptions): ProcessorSource => {
  let caughtUpAt = Date.now();
  let lagOf: (() => Promise<Lag>) | undefined;
  return {
    exclusive: false,
    open: async ({ processor, apply, committed }) => {
      const groupId = options.groupId ?? `${processor.schema}.${processor.name}`;
      const maxBatch = options.maxBatch ?? 200;
      const consumer: Consumer = options.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
        // A stop waits for the fetch in flight: with nothing to read it lasts this long.
        maxWaitTimeInMs: 250,
      });
      let stopped = false;
      let fail!: (error: unknown) => void;
      let end!: () => void;
      const done = new Promise<void>((resolve, reject) => {
        fail = reject;
        end = resolve;
      });
      done.catch(() => undefined);
      // kafkajs restarts the consumer itself after a retriable error; a crash it will not
      // restart from ends the feed, and the runtime opens it again after a backoff.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) fail(payload.error);
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: options.topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({
            batch,
            resolveOffset,
            heartbeat,
            commitOffsetsIfNecessary,
            isRunning,
            isStale,
          }) => {
            for (let from = 0; from < batch.messages.length; from += maxBatch) {
              // Stopping, stopped by its handler, or a seek pending: the rest comes again.
              if (stopped || !isRunning() || isStale()) return;
              const chunk = batch.messages.slice(from, from + maxBatch);
              const deliveries = chunk.map((m) =>
                receivedDelivery({
                  key: m.key?.toString() ?? '',
                  value: m.value?.toString() ?? '',
                  eventType: header(m.headers, 'event-type'),
                  origin: {
                    kind: 'kafka',
                    topic: batch.topic,
                    partition: batch.partition,
                    offset: m.offset,
                    group: groupId,
                  },
                }),
              );
              let outcome;
              try {
                outcome = await apply(deliveries, undefined);
              } catch (error) {
                // The database is away (retried already): end the feed, so the runtime reports
                // the processor failing and opens it again after a backoff; nothing of this
                // chunk is committed, so it is delivered again.
                stopped = true;
                fail(error);
                throw error;
              }
              const last = chunk[chunk.length - 1];
              if (last === undefined) continue;
              resolveOffset(last.offset);
              // The batch's own commit: consumer.commitOffsets does nothing (silently) once a
              // stop has begun, and the chunk applied meanwhile would be delivered again.
              await commitOffsetsIfNecessary({
                topics: [
                  {
                    topic: batch.topic,
                    partitions: [
                      { partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
                    ],
                  },
                ],
              });
              committed(undefined);
              await heartbeat();
              if (outcome.stop !== undefined) {
                // As the store source does: the runtime stops the processor, never restarts it.
                stopped = true; // nothing more is applied, even before the runtime disconnects
                fail(new ProcessorStoppedError(outcome.stop));
                return;
              }
            }
          },
        });
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        throw error;
      }
      const admin = options.kafka.admin();
      let adminConnected: Promise<void> | undefined;
      lagOf = async () => {
        adminConnected ??= admin.connect();
        await adminConnected;
        const [ends, offsets] = await Promise.all([
          admin.fetchTopicOffsets(options.topic),
          admin.fetchOffsets({ groupId, topics: [options.topic] }),
        ]);
        const committedBy = new Map(
          (offsets[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
        );
        let events = 0n;
        for (const end of ends) {
          const at = committedBy.get(end.partition) ?? -1n;
          const from = at < 0n ? BigInt(end.low) : at;
          if (BigInt(end.high) > from) events += BigInt(end.high) - from;
        }
        return { events: Number(events), seconds: 0 };
      };
      return {
        done,
        stop: async () => {
          await consumer.disconnect().catch(() => undefined);
          await admin.disconnect().catch(() => undefined);
          lagOf = undefined;
          end();
        },
      };
    },
    whenCaughtUp: async (timeoutMs) => {
      // Caught up: every partition's committed offset at its high watermark, as measured now
      // and again until it holds (offsets are committed after each applied chunk).
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lag = lagOf === undefined ? undefined : await lagOf();
        if (lag !== undefined && lag.events === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`not caught up with ${options.topic} within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    lag: async () => {
      if (lagOf === undefined) return { events: 0, seconds: 0 };
      const lag = await lagOf();
      if (lag.events === 0) caughtUpAt = Date.now();
      // Seconds behind: how long since it was last caught up (offsets carry no event times).
      return {
        events: lag.events,
        seconds: lag.events === 0 ? 0 : (Date.now() - caughtUpAt) / 1000,
      };
    },
  };
};
