// Twilio's own default keywords (it stops delivery on them itself), plus the Chinese ones.
const OPT_OUT_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', '退订', 'TD']);
const OPT_IN_WORDS = new Set(['START', 'UNSTOP', 'YES']);

/** `stop`, `start` or null for any other reply. Case, surrounding space, full-width letters and a final `.`/`!` do not matter. */
export function inboundKeyword(body: string): 'stop' | 'start' | null {
  const word = body
    .normalize('NFKC')
    .replace(/[\s.!。]+$/u, '')
    .trim()
    .toUpperCase();
  if (OPT_OUT_WORDS.has(word)) return 'stop';
  if (OPT_IN_WORDS.has(word)) return 'start';
  return null;
}
