/** Which receiver URLs a subscription may name: public http(s) only, unless private are allowed. */
import { describe, expect, it } from 'vitest';
import { checkReceiverUrl, isPrivateAddress } from './url-check.js';

describe('receiver URL checks', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    'not-an-ip',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:5db8:d822'])(
    '%s is public',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses loopback and private hosts, other schemes, credentials and fragments', async () => {
    const refused = async (url: string) => {
      const checked = await checkReceiverUrl(url, false);
      return checked.ok ? 'accepted' : checked.reason;
    };
    expect(await refused('http://127.0.0.1:8080/hook')).toMatch(/private or loopback/);
    expect(await refused('http://localhost/hook')).toMatch(/private or loopback|does not resolve/);
    expect(await refused('http://[::1]/hook')).toMatch(/private or loopback/);
    expect(await refused('http://[::ffff:127.0.0.1]/hook')).toMatch(/private or loopback/);
    expect(await refused('http://10.0.0.5/hook')).toMatch(/private or loopback/);
    expect(await refused('ftp://93.184.216.34/hook')).toBe('expected an http or https URL');
    expect(await refused('https://user:pw@93.184.216.34/hook')).toBe(
      'credentials in the URL are refused',
    );
    expect(await refused('https://93.184.216.34/hook#x')).toBe('a fragment is refused');
    expect(await refused('not a url')).toBe('expected an absolute URL');
    expect(await refused('https://93.184.216.34/hook')).toBe('accepted');
  });

  it('lets loopback through when private URLs are allowed (development and tests)', async () => {
    expect((await checkReceiverUrl('http://127.0.0.1:9/hook', true)).ok).toBe(true);
    expect((await checkReceiverUrl('file:///etc/passwd', true)).ok).toBe(false);
  });
});
