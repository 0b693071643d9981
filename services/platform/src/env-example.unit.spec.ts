/**
 * `.env.example` is the whole configuration: every variable a process's codecs read is in it,
 * every one in it is in the README's Configuration table, and its example values, uncommented,
 * are all valid.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuditEnvironment } from '@newsroom/audit';
import { Environment, environmentProblems } from '@newsroom/service-kit';
import { SyndicationEnvironment } from '@newsroom/syndication';

const root = new URL('../../../', import.meta.url);
const example = readFileSync(new URL('.env.example', root), 'utf8');
const uncommented = parseEnv(example.replace(/^# ([A-Z][A-Z0-9_]*=)/gm, '$1'));
const codecs = [Environment, SyndicationEnvironment, AuditEnvironment];

describe('.env.example', () => {
  it('names every variable the codecs read, and only ones the README documents', () => {
    const read = new Set(codecs.flatMap((c) => Object.keys(c.props)));
    const listed = new Set(Object.keys(uncommented));
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const documented = new Set(
      [...table.matchAll(/^\|([^|]*)\|/gm)].flatMap((m) =>
        [...m[1]!.matchAll(/`([A-Z_]+)`/g)].map((n) => n[1]!),
      ),
    );
    expect([...listed].filter((name) => !documented.has(name))).toEqual([]);
    expect(listed.size).toBeGreaterThan(40);
  });

  it('holds values every codec accepts, and copying it as it is changes nothing', () => {
    for (const codec of codecs) expect(environmentProblems(codec, uncommented)).toEqual([]);
    expect(parseEnv(example)).toEqual({});
  });
});
