/**
 * Where a webhook may be sent: an absolute http or https URL, no credentials in it, whose host
 * resolves only to public addresses (loopback, private, link-local, unique-local, CGNAT,
 * multicast and unspecified ranges refused), unless private addresses are allowed (development
 * and tests). Checked when a subscription is made and again before every send, since a name
 * may resolve elsewhere later.
 */
import { lookup as lookupCallback } from 'node:dns';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::', 96], // IPv4-compatible
  ['64:ff9b::', 96], // NAT64
  ['2001::', 32], // Teredo
  ['2002::', 16], // 6to4
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** An IPv4 address an IPv6 one carries (IPv4-mapped `::ffff:a.b.c.d`), checked as IPv4. */
const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
/** The same in hex, as URL parsing writes it (`[::ffff:7f00:1]`). */
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

export const isPrivateAddress = (address: string): boolean => {
  const mapped = MAPPED.exec(address)?.[1];
  if (mapped !== undefined) return isPrivateAddress(mapped);
  const hex = MAPPED_HEX.exec(address);
  if (hex !== null) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return isPrivateAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export type UrlCheck =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly reason: string };

/** The URL's form alone (no lookup): scheme, credentials, length. */
export const checkUrlForm = (text: string): UrlCheck => {
  if (text.length > 2048) return { ok: false, reason: 'at most 2048 characters' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'expected an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'expected an http or https URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the URL are refused' };
  }
  if (url.hash !== '') return { ok: false, reason: 'a fragment is refused' };
  return { ok: true, url };
};

/** The form, and every address its host resolves to. */
export const checkReceiverUrl = async (text: string, allowPrivate: boolean): Promise<UrlCheck> => {
  const form = checkUrlForm(text);
  if (!form.ok || allowPrivate) return form;
  const host = form.url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses =
      isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return { ok: false, reason: `its host ${host} does not resolve` };
  }
  const refused = addresses.find(isPrivateAddress);
  return refused === undefined
    ? form
    : { ok: false, reason: `its host resolves to ${refused}, a private or loopback address` };
};

/**
 * The name lookup webhook connections use: the addresses the connection will actually go to,
 * refused when any is private (a name that resolved to a public address at the check and to a
 * private one now, as a rebinding attack would make it, is caught here).
 */
export const guardedLookup =
  (allowPrivate: boolean): LookupFunction =>
  (hostname, options, callback) => {
    lookupCallback(
      hostname,
      { ...(options as object), all: true } as LookupAllOptions,
      (error, addresses) => {
        const list = addresses as LookupAddress[];
        if (error !== null) return callback(error, '', 0);
        const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
        if (refused !== undefined || list.length === 0) {
          const e = Object.assign(
            new Error(`${hostname} resolves to ${refused?.address ?? 'nothing'}: refused`),
            {
              code: 'ENOTFOUND',
            },
          );
          return callback(e, '', 0);
        }
        if ((options as { all?: boolean }).all === true) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        } else {
          callback(null, list[0]!.address, list[0]!.family);
        }
      },
    );
  };
