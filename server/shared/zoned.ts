// Times are stored in UTC and shown in the clinic's time zone; these helpers do the conversions.

function wallClockParts(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Minutes to add to UTC to get the wall clock in `timeZone` at that instant. */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = wallClockParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The calendar date (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const p = wallClockParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The UTC instant of a wall-clock time (`YYYY-MM-DD`, `HH:MM`) in `timeZone`. */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const naive = new Date(`${date}T${time}:00Z`);
  let guess = new Date(naive.getTime() - offsetMinutes(naive, timeZone) * 60000);
  // A second pass settles instants near a daylight-saving change.
  guess = new Date(naive.getTime() - offsetMinutes(guess, timeZone) * 60000);
  return guess;
}

/** [start, end) of the clinic's calendar day containing `instant`, as UTC instants. */
export function dayBounds(instant: Date, timeZone: string): { start: Date; end: Date } {
  const date = localDate(instant, timeZone);
  const start = zonedTimeToUtc(date, '00:00', timeZone);
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const end = zonedTimeToUtc(next.toISOString().slice(0, 10), '00:00', timeZone);
  return { start, end };
}

export function formatTime(instant: Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

export function formatDateTime(instant: Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(instant);
}
