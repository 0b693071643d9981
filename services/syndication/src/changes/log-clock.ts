/**
 * The syndication log's last number, read every `pollMs`: what the feeds' cache is keyed by.
 * Every change to what a feed shows is a change of the log (a publication, a correction, an
 * unpublication, a retraction, an embargo's release), so a feed built at number n stays right
 * until the number moves; a cached feed is at most `pollMs` behind the read model.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { readLastSeq } from './read-changes.js';

export interface LogClock {
  /** The last number read; undefined until the first read (or while the database is away). */
  readonly current: () => number | undefined;
  readonly stop: () => void;
}

export const startLogClock = (sql: SqlQueryable, schema: string, pollMs = 50): LogClock => {
  let current: number | undefined;
  let reading = false;
  const read = () => {
    if (reading) return;
    reading = true;
    readLastSeq(sql, schema)
      .then((seq) => (current = seq))
      .catch(() => (current = undefined)) // not made yet, or the database away: no cache
      .finally(() => (reading = false));
  };
  const timer = setInterval(read, pollMs);
  timer.unref();
  read();
  return { current: () => current, stop: () => clearInterval(timer) };
};
