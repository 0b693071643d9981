import { describe, expect, it } from 'vitest';
import { backoffDelay, isSystemic } from './retry.js';

const sqlError = (code: string) => Object.assign(new Error(`sql ${code}`), { code });

describe('backoffDelay', () => {
  const policy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 };
  it('doubles its ceiling per attempt up to the maximum, with full jitter under it', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
  });
});

describe('isSystemic: never a reason to dead-letter a message', () => {
  it.each([
    ['08006', 'connection failure'],
    ['57P01', 'admin shutdown'],
    ['53300', 'too many connections'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['42P01', 'a table gone'],
  ])('SQLSTATE %s (%s) is systemic', (code) => {
    expect(isSystemic(sqlError(code))).toBe(true);
  });

  it.each([
    ['22001', 'value too long'],
    ['22P02', 'invalid text representation'],
    ['23505', 'unique violation'],
    ['23514', 'check violation'],
  ])('SQLSTATE %s (%s) is the message’s', (code) => {
    expect(isSystemic(sqlError(code))).toBe(false);
  });

  it('takes socket errors and node-postgres’s code-less connection errors as systemic', () => {
    expect(isSystemic(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isSystemic(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isSystemic(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isSystemic(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    expect(isSystemic(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('takes a handler’s own errors as the message’s', () => {
    expect(isSystemic(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isSystemic(new Error('poisoned'))).toBe(false);
    expect(isSystemic('a string')).toBe(false);
    expect(isSystemic(undefined)).toBe(false);
  });
});
