/**
 * Instants as the publisher shows them: in its own offset (Asia/Ho_Chi_Minh is UTC+07:00 all
 * year; Vietnam has kept no daylight saving time since 1975), as RFC 3339 for Atom, JSON Feed
 * and ninjs, and as RFC 822 for RSS 2.0.
 */
export const PUBLISHER_OFFSET_MINUTES = 7 * 60;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const shifted = (iso: string, offsetMinutes: number) =>
  new Date(Date.parse(iso) + offsetMinutes * 60_000);

const offsetText = (offsetMinutes: number, colon: boolean) => {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
};

/** `2019-04-08T20:59:00+07:00` (milliseconds kept when there are any). */
export const rfc3339 = (iso: string, offsetMinutes = PUBLISHER_OFFSET_MINUTES): string => {
  const d = shifted(iso, offsetMinutes);
  const ms = d.getUTCMilliseconds();
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${ms === 0 ? '' : `.${pad(ms, 3)}`}${offsetText(offsetMinutes, true)}`
  );
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Mon, 08 Apr 2019 20:59:00 +0700` (RSS 2.0's date, RFC 822 with a four-digit year). */
export const rfc822 = (iso: string, offsetMinutes = PUBLISHER_OFFSET_MINUTES): string => {
  const d = shifted(iso, offsetMinutes);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${offsetText(offsetMinutes, false)}`
  );
};
