// Caller numbers as carriers send them (+86…, 0086…, 86…, a national 0…, a bare mobile number), made E.164.

/**
 * The caller's number in E.164, or null when it is not a number at all (anonymous, a SIP name).
 * `countryCode` is the clinic's country, for numbers given without one.
 */
export function toE164(raw: string | null | undefined, countryCode = '86'): string | null {
  if (!raw) return null;
  const cleaned = raw
    .trim()
    .replace(/^sip:|^tel:/i, '')
    .split('@')[0]!
    .replace(/[\s().-]/g, '');
  let digits: string;
  if (/^\+\d+$/.test(cleaned)) digits = cleaned.slice(1);
  else if (/^00\d+$/.test(cleaned)) digits = cleaned.slice(2);
  else if (/^0\d+$/.test(cleaned)) digits = countryCode + cleaned.slice(1);
  else if (/^\d+$/.test(cleaned)) digits = cleaned.startsWith(countryCode) && cleaned.length > 11 ? cleaned : countryCode + cleaned;
  else return null;
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
}

/** What staff who may not see a caller's number are shown: the country code and the last four digits. */
export function maskPhoneNumber(e164: string): string {
  const match = /^\+(\d{1,3}?)(\d+)(\d{4})$/.exec(e164);
  if (!match) return '••••';
  const country = e164.startsWith('+86') ? '86' : e164.startsWith('+1') ? '1' : match[1];
  return `+${country} ••• ${match[3]}`;
}
