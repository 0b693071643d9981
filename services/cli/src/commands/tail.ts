/**
 * `newsroom tail stream`: the live stream (`GET /v1/stream`, server-sent events) as it comes,
 * one line an event (its number, type and article), or the event's JSON with `--json`.
 * `newsroom tail topic`: the syndication topic on the broker at KAFKA_BROKERS, from now or from
 * its start, one line a message. Both stop on Ctrl-C, or after `--max` events (exit 0).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { kafkaFromEnv, NEWSROOM_TOPICS } from '@newsroom/messaging';
import { EXIT, stdio } from './io.js';
import type { Output } from './io.js';
import { baseUrl } from './instance.js';

export const TAIL_USAGE = `  newsroom tail stream [--types article.published,...] [--section <s>] [--last-event-id <n>] [--url <instance>] [--max <n>] [--json]
  newsroom tail topic [--topic ${NEWSROOM_TOPICS.syndication}] [--from-beginning] [--max <n>] [--json]   (KAFKA_BROKERS)`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One line for a person: what happened to which article. */
const lineOf = (id: string, type: string, payload: Json): string =>
  `${id.padStart(6)}  ${type.padEnd(20)} ${payload?.data?.uri ?? ''} ${payload?.data?.headlines?.[0]?.value ?? ''}`.trimEnd();

/** Stops after `max` events, or on SIGINT (or `fail`); resolves when stopped, with why. */
const stopper = (max: number | undefined) => {
  let seen = 0;
  let settle!: (why: string | undefined) => void;
  const stopped = new Promise<string | undefined>((resolve) => (settle = resolve));
  const stop = () => settle(undefined);
  process.once('SIGINT', stop);
  void stopped.then(() => process.off('SIGINT', stop));
  return {
    /** Resolves with undefined when asked to stop, with the reason when it failed. */
    stopped,
    fail: (why: string) => settle(why),
    /** Counts one; true when that was the last one wanted. */
    count: () => {
      seen++;
      if (max !== undefined && seen >= max) stop();
      return max !== undefined && seen >= max;
    },
  };
};

/** The frames of an SSE body, as they complete. */
async function* frames(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, string>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue; // a heartbeat
        const at = line.indexOf(':');
        if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
      }
      if (fields['data'] !== undefined) yield fields;
    }
  }
}

const tailStream = async (o: Output, values: Json, max: number | undefined): Promise<number> => {
  const query = new URLSearchParams();
  for (const key of ['types', 'section'] as const) if (values[key]) query.set(key, values[key]);
  if (values['last-event-id']) query.set('lastEventId', values['last-event-id']);
  const url = `${baseUrl(values.url)}/v1/stream${query.size > 0 ? `?${query}` : ''}`;
  const controller = new AbortController();
  const stop = stopper(max);
  void stop.stopped.then(() => controller.abort());
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
  } catch {
    o.err(`cannot reach ${url}: is it running (npm start)?`);
    return EXIT.failed;
  }
  if (response.status !== 200 || response.body === null) {
    o.err(`GET ${url}: HTTP ${response.status}: ${await response.text()}`);
    return EXIT.failed;
  }
  let ended = false;
  try {
    for await (const frame of frames(response.body)) {
      const payload = JSON.parse(frame['data']!) as Json;
      o.out(
        o.json
          ? JSON.stringify({ id: frame['id'], type: frame['event'], payload })
          : lineOf(frame['id'] ?? '', frame['event'] ?? '', payload),
      );
      if (stop.count()) {
        ended = true;
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    ended = true; // stopped (Ctrl-C, or --max)
  }
  controller.abort();
  if (!ended) {
    o.err(`the stream at ${url} ended (the instance stopped?)`);
    return EXIT.failed;
  }
  return EXIT.ok;
};

const tailTopic = async (o: Output, values: Json, max: number | undefined): Promise<number> => {
  const topic = values.topic ?? NEWSROOM_TOPICS.syndication;
  const consumer = kafkaFromEnv({ clientId: 'newsroom-cli' }).consumer({
    groupId: `newsroom-cli.tail.${randomUUID()}`, // its own group: every message, no offsets kept
    maxWaitTimeInMs: 200,
  });
  const stop = stopper(max);
  consumer.on(consumer.events.CRASH, (e) =>
    stop.fail(`the consumer crashed: ${e.payload.error.message}`),
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: values['from-beginning'] === true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        let payload: Json = value;
        try {
          payload = JSON.parse(value);
        } catch {
          // printed as it is
        }
        const key = message.key?.toString('utf8') ?? '';
        o.out(
          o.json
            ? JSON.stringify({ partition, offset: message.offset, key, payload })
            : lineOf(
                `${partition}:${message.offset}`,
                String(payload?.type ?? payload?.kind ?? ''),
                payload,
              ) || key,
        );
        stop.count();
      },
    });
    const failed = await stop.stopped;
    if (failed !== undefined) throw new Error(failed);
    return EXIT.ok;
  } catch (error) {
    o.err(`tail topic ${topic}: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
};

export const tailCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      types: { type: 'string' },
      section: { type: 'string' },
      'last-event-id': { type: 'string' },
      url: { type: 'string' },
      topic: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      max: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const o = stdio(values.json === true);
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    o.err(`--max wants a whole number above 0\nusage:\n${TAIL_USAGE}`);
    return EXIT.usage;
  }
  switch (positionals.join(' ')) {
    case 'stream':
      return tailStream(o, values, max);
    case 'topic':
      return tailTopic(o, values, max);
    default:
      o.err(`tail what: stream or topic?\nusage:\n${TAIL_USAGE}`);
      return EXIT.usage;
  }
};
