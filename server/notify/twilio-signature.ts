// Twilio signs each webhook: base64(HMAC-SHA1(auth token, URL + every POST parameter, sorted by name,
// as name followed by value)). https://www.twilio.com/docs/usage/security#validating-requests
import { createHmac, timingSafeEqual } from 'node:crypto';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  // A name given several times: its values sorted, and each name-value pair once (as Twilio's own libraries do).
  const pairs = [...new Set([...params].map(([key, value]) => JSON.stringify([key, value])))].map((pair) => JSON.parse(pair) as [string, string]);
  pairs.sort(([keyA, valueA], [keyB, valueB]) => compare(keyA, keyB) || compare(valueA, valueB));
  const data = url + pairs.map(([key, value]) => key + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL as given, without its port and with an explicit one: proxies differ in which one Twilio signed. */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const rest = `${parsed.pathname}${parsed.search}`;
  return [...new Set([url, `${parsed.protocol}//${parsed.hostname}${rest}`, `${parsed.protocol}//${parsed.hostname}:${port}${rest}`])];
}

export function isValidTwilioSignature(authToken: string, url: string, params: Iterable<[string, string]>, signature: string | null | undefined): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  const entries = [...params];
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, entries));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
