// Pure calendar arithmetic on clinic-local dates (YYYY-MM-DD) and working hours. No database, so the
// browser can use it too.
import { localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { SLOT_MINUTES, WORKING_DAY_END, WORKING_DAY_START, WORKING_WEEKDAYS } from '@/server/shared/scheduling-config';

export type Busy = { startsAt: Date; durationMinutes: number };

const MINUTE = 60_000;

export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday, for a calendar date (no time zone involved). */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The Monday of the week containing `date`. */
export function weekStart(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

export function isWorkingDay(date: string): boolean {
  return WORKING_WEEKDAYS.includes(weekdayOf(date));
}

export function endOf(appointment: Busy): Date {
  return new Date(appointment.startsAt.getTime() + appointment.durationMinutes * MINUTE);
}

export function overlaps(a: Busy, b: Busy): boolean {
  return a.startsAt < endOf(b) && b.startsAt < endOf(a);
}

/** The working hours of a clinic-local date, as UTC instants; null on a day the clinic is closed. */
export function workingHoursOf(date: string, timeZone: string): { open: Date; close: Date } | null {
  if (!isWorkingDay(date)) return null;
  return { open: zonedTimeToUtc(date, WORKING_DAY_START, timeZone), close: zonedTimeToUtc(date, WORKING_DAY_END, timeZone) };
}

/** Whether a visit starts and ends within one working day of the clinic. */
export function isWithinWorkingHours(visit: Busy, timeZone: string): boolean {
  const hours = workingHoursOf(localDate(visit.startsAt, timeZone), timeZone);
  return hours !== null && visit.startsAt >= hours.open && endOf(visit) <= hours.close;
}

/** Whether `startsAt` is on the clinic's slot grid (every SLOT_MINUTES from the opening time). */
export function isOnSlotGrid(startsAt: Date, timeZone: string): boolean {
  const hours = workingHoursOf(localDate(startsAt, timeZone), timeZone);
  if (!hours) return false;
  const minutes = (startsAt.getTime() - hours.open.getTime()) / MINUTE;
  return Number.isInteger(minutes) && minutes >= 0 && minutes % SLOT_MINUTES === 0;
}

/**
 * Free start times (UTC) for a visit of `durationMinutes` with one clinician, on `days` clinic-local
 * calendar days beginning with the day `from` falls on. A slot is free when the whole visit fits in
 * the working day, starts at or after `from` and after `now`, and overlaps none of `busy`.
 */
export function computeFreeSlots(input: { timeZone: string; from: Date; days: number; durationMinutes: number; busy: readonly Busy[]; now: Date }): Date[] {
  const slots: Date[] = [];
  const earliest = Math.max(input.from.getTime(), input.now.getTime() + 1);
  const firstDate = localDate(input.from, input.timeZone);
  for (let day = 0; day < input.days; day++) {
    const date = addDays(firstDate, day);
    const hours = workingHoursOf(date, input.timeZone);
    if (!hours) continue;
    for (let start = hours.open.getTime(); start + input.durationMinutes * MINUTE <= hours.close.getTime(); start += SLOT_MINUTES * MINUTE) {
      if (start < earliest) continue;
      const candidate = { startsAt: new Date(start), durationMinutes: input.durationMinutes };
      if (input.busy.some((other) => overlaps(candidate, other))) continue;
      slots.push(candidate.startsAt);
    }
  }
  return slots;
}

/** Groups UTC instants by the clinic-local date they fall on, keeping their order. */
export function groupByLocalDate(instants: readonly Date[], timeZone: string): { date: string; slots: Date[] }[] {
  const groups: { date: string; slots: Date[] }[] = [];
  for (const instant of instants) {
    const date = localDate(instant, timeZone);
    const last = groups.at(-1);
    if (last?.date === date) last.slots.push(instant);
    else groups.push({ date, slots: [instant] });
  }
  return groups;
}
