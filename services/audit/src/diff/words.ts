/**
 * Word-level diffs that hold for Vietnamese: a text is cut into words (a run of letters, their
 * combining marks and digits: a syllable with its diacritics is one unit, as NFC keeps it), runs
 * of spaces and single other characters (punctuation); the two sequences are compared with
 * Myers' O((N+M)D) algorithm. Nothing is normalized beyond NFC, which stored texts already are.
 */
export type DiffOp = 'equal' | 'delete' | 'insert';

export interface DiffPart {
  readonly op: DiffOp;
  readonly text: string;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+|\s+|[^\p{L}\p{M}\p{N}\s]/gu;

export const tokens = (text: string): string[] => text.normalize('NFC').match(TOKEN) ?? [];

/** The edit script from `a` to `b` (Myers), as runs of equal, deleted and inserted tokens. */
export const diffTokens = (a: readonly string[], b: readonly string[]): DiffPart[] => {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m) to (0, 0).
  const ops: { op: DiffOp; token: string }[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK =
      k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ op: 'equal', token: a[x]! });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ op: 'insert', token: b[--y]! });
      else ops.push({ op: 'delete', token: a[--x]! });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    ops.push({ op: 'equal', token: a[x]! });
  }
  ops.reverse();
  const parts: DiffPart[] = [];
  for (const { op, token } of ops) {
    const last = parts[parts.length - 1];
    if (last !== undefined && last.op === op)
      parts[parts.length - 1] = { op, text: last.text + token };
    else parts.push({ op, text: token });
  }
  return parts;
};

export const diffWords = (from: string, to: string): DiffPart[] =>
  diffTokens(tokens(from), tokens(to));
