/**
 * `newsroom replay <processor>` (the real CLI, a child process) on PostgreSQL, while the
 * system that runs the processor keeps running: the seed story's read models are snapshotted,
 * each is rebuilt from zero (the running instance is fenced off and the rebuild applies the
 * whole log), and the rebuilt read model, emptied behind the processors' back first, equals
 * the live one row for row; and once more with every processor stopped, so that the rebuilt
 * model is the CLI's own work. The progress bar reports events, rate and time left.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseUrl, useTestSystem } from './harness.js';
import { runSeedStory } from './seed-story-flow.js';

const run = promisify(execFile);
const cli = new URL('../../services/cli/bin/newsroom.js', import.meta.url).pathname;
const BOOKKEEPING = new Set(['processor_progress', 'processor_marks', 'processor_migrations']);

/** Every row of every table a processor keeps in `schema`, in a stable order. */
const snapshot = async (schema: string, tables: readonly string[]) => {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) {
      const result = await client.query(`SELECT * FROM "${schema}"."${table}"`);
      rows[table] = result.rows.map((r: Record<string, unknown>) => JSON.stringify(r)).sort();
    }
    return rows;
  } finally {
    await client.end();
  }
};

const damage = async (schema: string, tables: readonly string[]) => {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    for (const table of tables) await client.query(`DELETE FROM "${schema}"."${table}"`);
  } finally {
    await client.end();
  }
};

const tablesOf = async (schema: string) => {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema],
    );
    return rows.map((r) => r.table_name).filter((t) => !BOOKKEEPING.has(t));
  } finally {
    await client.end();
  }
};

describe('newsroom replay', () => {
  const sys = useTestSystem('postgres');

  it('rebuilds each read model from zero, equal to the live one', async () => {
    await runSeedStory(
      { url: () => sys.url, token: (role, sub) => sys.token(role as never, sub) },
      {
        articleId: randomUUID(),
        scheduledId: randomUUID(),
        embargoedId: randomUUID(),
        section: `s-${randomUUID().slice(0, 8)}`,
      },
    );
    await sys.caughtUp();
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      EVENT_STORE_SCHEMA: sys.store.schema,
      SCHEMA_PREFIX: sys.prefix,
    };
    for (const [processor, service, tables, processes] of [
      ['review.queue', 'review', undefined, 'running'],
      // The syndication log's numbers go on from the counter: the rows it keeps are compared.
      ['syndication.public-articles', 'syndication', ['public_articles'], 'running'],
      // Every processor stopped: only the CLI's own replay can mend the read model.
      ['review.queue', 'review', undefined, 'stopped'],
    ] as const) {
      if (processes === 'stopped') await sys.stopProcessors();
      const schema = `${sys.prefix}_${service}`;
      const compared = tables ?? (await tablesOf(schema));
      expect(compared.length).toBeGreaterThan(0);
      const live = await snapshot(schema, compared);
      expect(Object.values(live).flat().length, processor).toBeGreaterThan(0);
      // The read model damaged behind the processors' back: only a rebuild from the log mends it.
      await damage(schema, compared);
      expect(await snapshot(schema, compared)).not.toEqual(live);
      const { stdout, stderr } = await run(process.execPath, [cli, 'replay', processor, '--json'], {
        env,
      });
      expect(JSON.parse(stdout)).toMatchObject({ processor, schema });
      expect(stderr).toMatch(
        new RegExp(
          `replay ${processor.replace('.', '\\.')} \\[#+\\] [\\d,]+/[\\d,]+ events, [\\d,]+/s, \\d+:\\d{2} left`,
        ),
      );
      expect(await snapshot(schema, compared), processor).toEqual(live);
    }
    const unknown = await run(process.execPath, [cli, 'replay', 'no.such'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(unknown).toMatchObject({ code: 2 });
    expect((unknown as { stderr: string }).stderr).toMatch(
      /review\.queue, publishing\.scheduler, syndication\.public-articles/,
    );
  });
});
