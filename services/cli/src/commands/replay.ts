/**
 * `newsroom replay <processor>`: rebuilds a read model from zero, from the store's log, with a
 * progress bar. It opens the store as the services do (DATABASE_URL, or PGlite in DATA_DIR;
 * EVENT_STORE_SCHEMA, SCHEMA_PREFIX), runs the processor under its own lock and fencing token
 * (a running instance that held it is fenced off, and replays itself if it keeps the lock),
 * drops the read model in one transaction and applies the whole log, until the processor's
 * position reaches the log's head as it was when the replay began. With Kafka transport, stop
 * the processes that run the processor first: they read the topic, not the store.
 */
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { articleEventTypes } from '@newsroom/contracts';
import { allServices } from '@newsroom/platform';
import {
  atOrAfter,
  readProgress,
  startProcessor,
  storeDeadLetters,
  storeSource,
} from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';
import { loadConfig, openEventStore, serviceDeps, stderrDestination } from '@newsroom/service-kit';
import { EXIT, show, stdio } from './io.js';
import { progressBar } from './progress.js';

export const REPLAY_USAGE = `  newsroom replay <processor> [--json]   (DATABASE_URL or DATA_DIR, EVENT_STORE_SCHEMA, SCHEMA_PREFIX)`;

/** A processor with a read model built from article events (not one that only ticks). */
const hasEvents = (p: Processor) => articleEventTypes.some((t) => p.canHandle(t));

export const replayCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const out = stdio(values.json === true);
  const config = loadConfig(process.env, { port: 0 });
  const opened = await openEventStore(config, { schema: config.eventStoreSchema });
  const registry = new Registry();
  const services = allServices(serviceDeps(config, opened, registry, stderrDestination()));
  try {
    const processors = services.flatMap((s) => s.processors ?? []).filter(hasEvents);
    const processor = processors.find((p) => p.name === positionals[0]);
    if (processor === undefined || positionals.length !== 1) {
      out.err(
        `name one processor with a read model: ${processors.map((p) => p.name).join(', ')}\nusage:\n${REPLAY_USAGE}`,
      );
      return EXIT.usage;
    }
    const head = await opened.store.readHead();
    const started = Date.now();
    const running = startProcessor({
      processor,
      sql: opened.sql,
      store: opened.store,
      source: storeSource({ store: opened.store, batchSize: 1_000 }),
      deadLetters: storeDeadLetters(opened.store.schema),
      registry,
      log: (line) => (line['level'] === 'error' ? out.err(JSON.stringify(line)) : undefined),
    });
    try {
      // Its tables made and its lock tried (standby while a running process holds it) first.
      while (!['active', 'standby'].includes(running.status())) {
        if (running.status() === 'stopped') throw new Error(`${processor.name} stopped`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await running.rebuild();
      const bar = progressBar(`replay ${processor.name}`);
      const total = Number(head?.position.sequence ?? 0n);
      for (;;) {
        const progress = await readProgress(opened.sql, processor.schema, processor.name);
        const at = progress?.position;
        const done = head === undefined || (at !== undefined && atOrAfter(at, head.position));
        bar.update(done ? total : Number(at?.sequence ?? 0n), total);
        if (done) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      bar.finish();
    } finally {
      await running.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const summary = {
      processor: processor.name,
      schema: processor.schema,
      upTo: head === undefined ? null : `${head.position.transactionId}.${head.position.sequence}`,
      seconds,
    };
    show(out, summary, () => [
      `replayed ${processor.name} into ${processor.schema} in ${seconds.toFixed(1)} s`,
    ]);
    return EXIT.ok;
  } finally {
    for (const s of services) {
      await s.drain?.();
      await s.stop?.();
    }
    await opened.close();
  }
};
