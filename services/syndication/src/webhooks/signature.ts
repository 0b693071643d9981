/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): a secret is `whsec_` and the
 * base64 of 24 random bytes; a signature is `v1,` and the base64 HMAC-SHA256, keyed by the
 * secret's bytes, of `<webhook-id>.<webhook-timestamp>.<body>`. During a rotation's grace
 * period both secrets sign, and the header holds both signatures, space-separated.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export const sign = (secret: string, id: string, timestamp: number, body: string): string => {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
};

export const signatureHeader = (
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): string => secrets.map((s) => sign(s, id, timestamp, body)).join(' ');
