/**
 * `newsroom audit verify-export <file> --public-key <key>`: verifies an export
 * (`GET /v1/audit/export`) with no database. `newsroom audit verify-consistency <kept-head>
 * <later-head> --public-key <key> (--proof <file> | --url <audit service> [--token <t>])`:
 * checks that a later tree head extends one kept outside. A key is the log's C2SP verifier key
 * (`GET /v1/audit/tree-heads/key`, `verifierKey`), or a file holding it; a head is a file
 * holding a signed note (`GET /v1/audit/tree-heads/latest`). Exit 0 when it holds, 1 when it
 * does not, 2 on a usage error.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyExport, verifyHeadConsistency } from '@newsroom/audit';
import { parseVerifierKey } from '@newsroom/event-store';
import { EXIT, show, stdio } from './io.js';

export const AUDIT_USAGE = `  newsroom audit verify-export <file> --public-key <key> [--json]
  newsroom audit verify-consistency <kept-head> <later-head> --public-key <key>
      (--proof <file> | --url <audit service url> [--token <token>]) [--json]`;

const keyFrom = (given: string | undefined) => {
  if (given === undefined) return undefined;
  const text = existsSync(given) ? readFileSync(given, 'utf8') : given;
  return parseVerifierKey(text.trim());
};

const fail = (message: string): number => {
  process.stderr.write(`${message}\nusage:\n${AUDIT_USAGE}\n`);
  return EXIT.usage;
};

const verifyExportCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'public-key': { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1) return fail('name one export file');
  const key = keyFrom(values['public-key']);
  if (key === undefined)
    return fail("--public-key: expected the log's verifier key, or a file holding it");
  if (!existsSync(file)) return fail(`no file ${file}`);
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const started = Date.now();
  const report = await verifyExport(lines, key);
  const seconds = (Date.now() - started) / 1000;
  show(stdio(values.json === true), { ...report, seconds }, () =>
    report.ok
      ? [
          `ok: ${report.events} events in ${report.streams} streams, ${report.treeHeads} tree heads verified (${seconds.toFixed(1)} s)`,
          ...(report.lastTreeHead === null
            ? []
            : [
                `latest tree head ${report.lastTreeHead.number}: ${report.lastTreeHead.treeSize} events at ${report.lastTreeHead.time}`,
              ]),
        ]
      : [`FAILED at line ${report.violation!.line}: ${report.violation!.reason}`],
  );
  return report.ok ? EXIT.ok : EXIT.failed;
};

const verifyConsistencyCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'public-key': { type: 'string' },
      proof: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [keptFile, laterFile] = positionals;
  if (keptFile === undefined || laterFile === undefined || positionals.length !== 2) {
    return fail('name the kept tree head and the later one');
  }
  const key = keyFrom(values['public-key']);
  if (key === undefined)
    return fail("--public-key: expected the log's verifier key, or a file holding it");
  if ((values.proof === undefined) === (values.url === undefined))
    return fail('give --proof or --url');
  for (const f of [keptFile, laterFile]) if (!existsSync(f)) return fail(`no file ${f}`);
  const [kept, later] = [readFileSync(keptFile, 'utf8'), readFileSync(laterFile, 'utf8')];
  let proof: { from: number; to: number; proof: string[] };
  if (values.proof !== undefined) {
    proof = JSON.parse(readFileSync(values.proof, 'utf8')) as typeof proof;
  } else {
    const size = (note: string) => Number(note.split('\n')[1]);
    const url = `${values.url!.replace(/\/$/, '')}/v1/audit/proofs/consistency?from=${size(kept)}&to=${size(later)}`;
    const response = await fetch(url, {
      headers: values.token === undefined ? {} : { authorization: `Bearer ${values.token}` },
    });
    if (!response.ok) {
      process.stderr.write(`${url} answered ${response.status}: ${await response.text()}\n`);
      return EXIT.failed;
    }
    proof = (await response.json()) as typeof proof;
  }
  const check = verifyHeadConsistency(kept, later, proof, key);
  show(stdio(values.json === true), check, () =>
    check.ok
      ? [
          `ok: the tree head of ${check.to!.size} events extends the kept one of ${check.from!.size}`,
        ]
      : [`FAILED: ${check.reason}`],
  );
  return check.ok ? EXIT.ok : EXIT.failed;
};

export const auditCommand = async (args: readonly string[]): Promise<number> => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify-export':
      return verifyExportCommand(rest);
    case 'verify-consistency':
      return verifyConsistencyCommand(rest);
    default:
      return fail(sub === undefined || sub === '--help' ? '' : `no audit command ${sub}`);
  }
};
