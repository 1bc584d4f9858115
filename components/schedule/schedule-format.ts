// Display helpers for the schedule screens: clinic-local times, whichever zone the browser is in.
import { formatDateTime, formatTime, localDate } from '@/server/shared/zoned';
import type { AppLocale } from '@/server/shared/i18n/locales';

export function patientName(patient: { familyName: string; givenName: string }): string {
  return `${patient.familyName}${patient.givenName}`;
}

/** "Tue, 1 Dec" for a calendar date; date-only values are formatted in UTC so no zone shifts them. */
export function dayLabel(date: string, locale: AppLocale, options: { year?: boolean } = {}): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: options.year ? 'numeric' : undefined,
  }).format(new Date(`${date}T00:00:00Z`));
}

/** A longer day label for headings on the patient's phone: "Tuesday, 1 December". */
export function longDayLabel(date: string, locale: AppLocale): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
}

export function clinicTime(iso: string | Date, timeZone: string): string {
  return formatTime(new Date(iso), timeZone, 'en-GB');
}

export function clinicDate(iso: string | Date, timeZone: string): string {
  return localDate(new Date(iso), timeZone);
}

export function clinicDateTime(iso: string | Date, timeZone: string, locale: AppLocale): string {
  return formatDateTime(new Date(iso), timeZone, locale);
}

export function timeRange(iso: string | Date, durationMinutes: number, timeZone: string): string {
  const start = new Date(iso);
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  return `${clinicTime(start, timeZone)}–${clinicTime(end, timeZone)}`;
}

/** For patients: "Wednesday, 25 November, 08:00", with the weekday that people plan by. */
export function patientDateTime(iso: string | Date, timeZone: string, locale: AppLocale): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
