/**
 * `newsroom audit verify-export <file> --public-key <key>`: verifies an export
 * (`GET /v1/audit/export`) with no database. `newsroom audit verify-consistency <kept-head>
 * <later-head> --public-key <key> [--proof <file> | --url <audit service> [--token <t>]]`:
 * checks that a later tree head extends one kept outside. A key is the log's C2SP verifier key
 * (`GET /v1/audit/tree-heads/key`, `verifierKey`), or a file holding it; a head is a file
 * holding a signed note (`GET /v1/audit/tree-heads/latest`). Exit 0 when it holds, 1 when it
 * does not, 2 on a usage error.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import {
  ConsistencyProof,
  trivialProof,
  verifyExport,
  verifyHeadConsistency,
} from '@newsroom/audit';
import { fieldErrorsOf } from '@newsroom/contracts';
import { parseVerifierKey } from '@newsroom/event-store';
import { AUDIT_ONLINE_USAGE, auditExportCommand, auditVerifyCommand } from './audit-online.js';
import { EXIT, show, stdio } from './io.js';

export const AUDIT_USAGE = `${AUDIT_ONLINE_USAGE}
  newsroom audit verify-export <file> --public-key <key> [--json]
  newsroom audit verify-consistency <kept-head> <later-head> --public-key <key>
      [--proof <file> | --url <audit service url> [--token <token>]] [--json]
      (no proof is needed from a head of size 0 or between heads of one size)`;

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

/** A proof read from a file, decoded; a usage error when it is not one. */
const proofFile = (file: string): ConsistencyProof | number => {
  if (!existsSync(file)) return fail(`no file ${file}`);
  return decodedProof(readFileSync(file, 'utf8'), file) ?? EXIT.usage;
};

const decodedProof = (text: string, from: string): ConsistencyProof | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    process.stderr.write(`${from}: not JSON\n`);
    return undefined;
  }
  const decoded = ConsistencyProof.decode(json);
  if (E.isRight(decoded)) return decoded.right;
  const paths = fieldErrorsOf(decoded.left).errors.map((e) => `${e.path}: ${e.message}`);
  process.stderr.write(`${from}: not a consistency proof (${paths.join('; ')})\n`);
  return undefined;
};

/** The size a signed checkpoint's second line gives (checked for real by the verifier). */
const sizeOf = (note: string) => Number(note.split('\n')[1]);

/** The proof between the heads' sizes when it needs no server. */
const trivialFor = (kept: string, later: string): ConsistencyProof | undefined => {
  const [from, to] = [sizeOf(kept), sizeOf(later)];
  return Number.isSafeInteger(from) && Number.isSafeInteger(to)
    ? trivialProof(from, to)
    : undefined;
};

/** The proof between the two heads' sizes, asked of the audit service. */
const proofFrom = async (
  base: string,
  token: string | undefined,
  kept: string,
  later: string,
): Promise<ConsistencyProof | number> => {
  const [from, to] = [sizeOf(kept), sizeOf(later)];
  const url = `${base.replace(/\/$/, '')}/v1/audit/proofs/consistency?from=${from}&to=${to}`;
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    process.stderr.write(`${url} answered ${response.status}: ${await response.text()}\n`);
    return EXIT.failed;
  }
  return decodedProof(await response.text(), url) ?? EXIT.failed;
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
  if (values.proof !== undefined && values.url !== undefined)
    return fail('give --proof or --url, not both');
  for (const f of [keptFile, laterFile]) if (!existsSync(f)) return fail(`no file ${f}`);
  const [kept, later] = [readFileSync(keptFile, 'utf8'), readFileSync(laterFile, 'utf8')];
  const given =
    values.proof !== undefined
      ? proofFile(values.proof)
      : (trivialFor(kept, later) ??
        (values.url === undefined
          ? fail('give --proof or --url: these heads need a consistency proof')
          : await proofFrom(values.url, values.token, kept, later)));
  if (typeof given === 'number') return given;
  const proof = given;
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
    case 'verify':
      return auditVerifyCommand(rest);
    case 'export':
      return auditExportCommand(rest);
    default:
      return fail(sub === undefined || sub === '--help' ? '' : `no audit command ${sub}`);
  }
};
