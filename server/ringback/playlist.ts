// Which of a queue's waiting-room clips play for one caller, now. Pure: the service reads the entries, the clinic's
// clock and the patient's chart, and this decides.
import { offsetMinutes } from '@/server/shared/zoned';
import { MINUTES_PER_DAY } from '@/server/shared/schemas/waiting-media';

export type PlaylistRule = { position: number; fromMinute: number | null; toMinute: number | null; conditionCode: string | null };

export type CallContext = {
  /** Minutes since midnight on the clinic's wall clock (0..1439). */
  minuteOfDay: number;
  /** The codes of the patient's active Conditions (any code system); empty when unknown. */
  conditionCodes: ReadonlySet<string>;
};

/** Codes are compared without regard to case or surrounding spaces (`i10` is ICD-10 `I10`). */
export const normalizeCode = (code: string) => code.trim().toUpperCase();

/**
 * Whether the entry's time window holds at `minute`: the start is included, the end is not, and a window whose end
 * comes before its start wraps past midnight. No window: always. A window with one end only runs from the start of the
 * day or to its end; one that starts and ends at the same minute is the whole day (the admin screen refuses both).
 */
export function inWindow(rule: Pick<PlaylistRule, 'fromMinute' | 'toMinute'>, minute: number): boolean {
  if (rule.fromMinute === null && rule.toMinute === null) return true;
  const from = rule.fromMinute ?? 0;
  const to = rule.toMinute ?? MINUTES_PER_DAY;
  if (from === to) return true;
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/**
 * The entries to play, in position order: each kept while its time window holds and, when it names a condition, only
 * for a patient who has it. Entries with neither a window nor a condition always play, so they are what remains when
 * nothing more specific fits; a queue without such entries can get nothing, and then the caller falls back.
 */
export function choosePlaylist<E extends PlaylistRule>(entries: readonly E[], context: CallContext): E[] {
  const codes = new Set([...context.conditionCodes].map(normalizeCode));
  return [...entries]
    .sort((a, b) => a.position - b.position)
    .filter((entry) => inWindow(entry, context.minuteOfDay) && (entry.conditionCode === null || codes.has(normalizeCode(entry.conditionCode))));
}

/** Whether any entry plays only to patients with a condition (only then is the chart read). */
export const needsConditions = (entries: readonly Pick<PlaylistRule, 'conditionCode'>[]) => entries.some((entry) => entry.conditionCode !== null);

/** Minutes since midnight on the wall clock of `timeZone` at `instant`. */
export function minuteOfDay(instant: Date, timeZone: string): number {
  const utcMinutes = Math.floor(instant.getTime() / 60_000);
  const local = utcMinutes + offsetMinutes(instant, timeZone);
  return ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}
