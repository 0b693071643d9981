/**
 * The audit against a running instance, with an auditor's token: `newsroom audit verify
 * [--article <id>]` has the audit service verify the whole store (or one article) and prints its
 * verdict; `newsroom audit export --out <file> [--from-position <p>]` saves the export
 * (NDJSON, for `audit verify-export`), with a progress bar on stderr against the latest tree
 * head's size. Exit 0 verified or saved, 1 not verified or refused, 2 usage.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { EXIT, show } from './io.js';
import { InstanceRefused, onlineCommand } from './instance.js';
import { progressBar } from './progress.js';

const ONLINE = '[--as auditor:<id> | --token <jwt>] [--url <instance>] [--json]';
export const AUDIT_ONLINE_USAGE = `  newsroom audit verify [--article <id>] ${ONLINE}
  newsroom audit export --out <file> [--from-position <transactionId>:<sequence>] ${ONLINE}`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const OPTIONS = {
  article: { type: 'string' },
  out: { type: 'string' },
  'from-position': { type: 'string' },
} as const;

export const auditVerifyCommand = (args: readonly string[]) =>
  onlineCommand(
    args,
    OPTIONS,
    AUDIT_ONLINE_USAGE,
    'auditor:cli',
    async ({ o, values, http, as }) => {
      const query =
        values.article === undefined ? '' : `?articleId=${encodeURIComponent(values.article)}`;
      const reply = await http.request(`/v1/audit/verify${query}`, as);
      if (reply.status !== 200 && reply.status !== 409) {
        throw new InstanceRefused(http.problemOf('verify', `GET /v1/audit/verify${query}`, reply));
      }
      const report = reply.body as Json;
      show(o, report, () =>
        report.ok
          ? [
              `ok: ${report.events ?? '?'} events verified${report.treeHeads === undefined ? '' : `, ${report.treeHeads} tree heads`}`,
            ]
          : [`FAILED: ${JSON.stringify(report.violation ?? report)}`],
      );
      return report.ok ? EXIT.ok : EXIT.failed;
    },
  );

export const auditExportCommand = (args: readonly string[]) =>
  onlineCommand(args, OPTIONS, AUDIT_ONLINE_USAGE, 'auditor:cli', async (c) => {
    const { o, values, http, as } = c;
    const out = values.out;
    if (typeof out !== 'string') return c.usageError('--out <file>: where to save the export');
    // The latest head's size (its checkpoint's second line) as the bar's end: about the log.
    const latest = await http.request('/v1/audit/tree-heads/latest', as);
    const expected = latest.status === 200 ? Number(String(latest.body).split('\n')[1]) || 0 : 0;
    const from = values['from-position'] as string | undefined;
    const path = `/v1/audit/export${from === undefined ? '' : `?fromPosition=${encodeURIComponent(from)}`}`;
    const response = await http.open(path, as, undefined, { accept: 'application/x-ndjson' });
    if (response.status !== 200 || response.body === null) {
      throw new InstanceRefused(
        `export: HTTP ${response.status} from GET ${path}: ${await response.text()}`,
      );
    }
    const file = createWriteStream(out);
    let fileError: Error | undefined;
    file.on('error', (error) => (fileError = error)); // checked as the export is written
    const bar = progressBar('export');
    // Lines counted as they pass, in a byte view (latin1): a line's kind is its first member.
    let [events, bytes, partial, last] = [0, 0, '', ''];
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const lines = (partial + Buffer.from(chunk).toString('latin1')).split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line.startsWith('{"kind":"event"')) events++;
        last = lines.at(-1) ?? last;
        bytes += chunk.length;
        bar.update(events, Math.max(expected, events));
        if (fileError) throw fileError;
        if (!file.write(chunk)) await once(file, 'drain'); // rejects on the file's error
      }
      await new Promise<void>((resolve, reject) =>
        file.end((e?: Error | null) => ((e ?? fileError) ? reject(e ?? fileError) : resolve())),
      );
    } catch (error) {
      file.destroy();
      throw new InstanceRefused(
        `export cut short after ${events} events (${out} is incomplete): ${(error as Error).message}`,
      );
    } finally {
      bar.finish();
    }
    let end: Json;
    try {
      end = JSON.parse(Buffer.from(partial || last, 'latin1').toString('utf8'));
    } catch {
      end = undefined;
    }
    if (end?.kind !== 'end' || end.events !== events) {
      throw new InstanceRefused(
        `the export ended without its end line for ${events} events: ${out} is incomplete`,
      );
    }
    show(o, { ok: true, file: out, bytes, events, end }, () => [
      `saved ${events} events (${(bytes / 2 ** 20).toFixed(1)} MB) to ${out}: check it with newsroom audit verify-export ${out} --public-key <key>`,
    ]);
    return EXIT.ok;
  });
