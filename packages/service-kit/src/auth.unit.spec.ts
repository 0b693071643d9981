import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, issueDevelopmentToken } from './auth.js';

const secret = 'unit-test-secret-unit-test-secret';
const auth = createAuthenticator({ kind: 'hs256', secret });

describe('bearer token verification', () => {
  it('accepts a token signed with the secret and takes the actor from it', async () => {
    const token = await issueDevelopmentToken(secret, { id: 'alice', role: 'reporter' });
    expect(await auth.verify(token)).toEqual({
      ok: true,
      caller: { id: 'alice', role: 'reporter' },
    });
  });

  it('rejects an expired token', async () => {
    const token = await new SignJWT({ role: 'editor' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bob')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    expect(await auth.verify(token)).toEqual({ ok: false, reason: 'the token has expired' });
  });

  it('rejects an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT({ role: 'admin' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .encode();
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('rejects a token signed with another key', async () => {
    const token = await issueDevelopmentToken('another-secret-another-secret-xx', {
      id: 'eve',
      role: 'admin',
    });
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('rejects a token without a known role', async () => {
    const token = await new SignJWT({ role: 'superuser' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('eve')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect(await auth.verify(token)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('role'),
    });
  });

  it('rejects a token without expiry', async () => {
    const token = await new SignJWT({ role: 'editor' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bob')
      .sign(new TextEncoder().encode(secret));
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('rejects a token signed with another algorithm, even with the same secret', async () => {
    const token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('eve')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('rejects a token without a subject', async () => {
    const token = await new SignJWT({ role: 'editor' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect((await auth.verify(token)).ok).toBe(false);
  });

  it('rejects a token for another issuer or audience when they are configured', async () => {
    const strictAuth = createAuthenticator({
      kind: 'hs256',
      secret,
      issuer: 'idp',
      audience: 'newsroom',
    });
    const right = await issueDevelopmentToken(
      secret,
      { id: 'alice', role: 'reporter' },
      { issuer: 'idp', audience: 'newsroom' },
    );
    const otherAudience = await issueDevelopmentToken(
      secret,
      { id: 'alice', role: 'reporter' },
      { issuer: 'idp', audience: 'payroll' },
    );
    const otherIssuer = await issueDevelopmentToken(
      secret,
      { id: 'alice', role: 'reporter' },
      { issuer: 'elsewhere', audience: 'newsroom' },
    );
    expect((await strictAuth.verify(right)).ok).toBe(true);
    expect((await strictAuth.verify(otherAudience)).ok).toBe(false);
    expect((await strictAuth.verify(otherIssuer)).ok).toBe(false);
  });
});
