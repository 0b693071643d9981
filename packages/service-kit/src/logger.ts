/**
 * A process's structured logs: pino, one JSON object per line on stdout, each with its level
 * by name, an ISO time, the process's pid, and whatever ids the line is about
 * (`correlationId`, `traceId`, `eventId`). LOG_LEVEL sets how much (default `info`).
 * The rest of the code logs through `Log`, a plain function of one line, so that a processor
 * or the sealer need not know pino.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line: `level` (default info) and `msg`, and any fields about what happened. */
export type LogLine = Record<string, unknown>;
export type Log = (line: LogLine) => void;

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go (default stdout): a test hands a stream of its own. */
  readonly destination?: DestinationStream;
}

/** Standard output, each line written whole before the next (a burst cannot grow memory
 *  without bound, and nothing is left in a buffer at exit). */
const stdout = (): DestinationStream => pino.destination({ dest: 1, sync: true });

export const createLogger = (options: LoggerOptions = {}): Logger =>
  pino(
    {
      level: options.level ?? 'info',
      messageKey: 'msg',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? stdout(),
  );

/** Standard error: where a command-line tool logs, its standard output being its answer. */
export const stderrDestination = (): DestinationStream => pino.destination({ dest: 2, sync: true });

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS.filter((l) => l !== 'silent'));

/** A `Log` that writes through `logger`: `{ level, msg, ...fields }` as pino writes it. */
export const logTo =
  (logger: Logger): Log =>
  (line) => {
    const { level, msg, ...fields } = line;
    const at = typeof level === 'string' && LEVELS.has(level) ? level : 'info';
    logger[at as 'info'](fields, typeof msg === 'string' ? msg : '');
  };
