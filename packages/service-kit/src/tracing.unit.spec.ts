/** The caller's trace context as a span continues it (tracing off: no collector). */
import { describe, expect, it } from 'vitest';
import { parseTraceparent, startSpan } from './tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('a caller trace context', () => {
  it('is continued under a span id of our own, written as version 00', () => {
    const span = startSpan('GET', { parent: `00-${TRACE}-00f067aa0ba902b7-01`, kind: 'server' });
    expect(span?.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(span?.traceparent.split('-')[2]).not.toBe('00f067aa0ba902b7');
    expect(span?.traceId).toBe(TRACE);
  });

  it('is sent on with only the sampled flag, any other bit zero', () => {
    const span = startSpan('GET', { parent: `00-${TRACE}-00f067aa0ba902b7-ff`, kind: 'server' });
    expect(span?.traceparent).toMatch(/-01$/);
    const unsampled = startSpan('GET', {
      parent: `00-${TRACE}-00f067aa0ba902b7-fe`,
      kind: 'server',
    });
    expect(unsampled?.traceparent).toMatch(/-00$/);
  });

  it('of a later version is read by its first four fields', () => {
    expect(parseTraceparent(`cc-${TRACE}-00f067aa0ba902b7-01-what-comes-later`)).toEqual({
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      flags: '01',
    });
  });

  it.each([
    ['version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['version 00 with more fields', `00-${TRACE}-00f067aa0ba902b7-01-x`],
    ['a zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['a zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper case', `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`],
    ['a short trace id', `00-${TRACE.slice(2)}-00f067aa0ba902b7-01`],
  ])('is ignored when invalid: %s', (_what, given) => {
    expect(parseTraceparent(given)).toBeUndefined();
    expect(startSpan('GET', { parent: given, kind: 'server' })).toBeUndefined();
  });
});
