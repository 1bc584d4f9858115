// Waiting-room media: what an admin may send, checked the same way by the server and by the admin screen's form.
import { z } from 'zod';

export const MINUTES_PER_DAY = 1440;
export const CLIP_TITLE_MAX = 120;
export const CONDITION_CODE_MAX = 64;
export const PLAYLIST_MAX_ENTRIES = 50;
/** The upload limit, for the browser to refuse a file before sending it (the server's is CLIP_MAX_BYTES, the same). */
export const CLIP_UPLOAD_MAX_BYTES = 200 * 1024 * 1024;
/** Where the admin screen uploads a clip (app/api/admin/waiting-clips/route.ts). */
export const CLIP_UPLOAD_URL = '/api/admin/waiting-clips';

const id = z.string().min(1).max(64);
const minuteOfDay = z
  .number()
  .int()
  .min(0)
  .max(MINUTES_PER_DAY - 1);

export const clipTitle = z.string().trim().min(1).max(CLIP_TITLE_MAX);

/**
 * One clip of a queue's playlist. A time window (minutes of the clinic's day, start included, end excluded) may wrap
 * past midnight (1320 to 360: 22:00 to 06:00). A condition code (SNOMED 38341003, ICD-10 I10, ...) plays the clip only
 * to patients whose chart has an active Condition with that code.
 */
export const playlistEntryInput = z
  .object({
    clipId: id,
    fromMinute: minuteOfDay.nullable(),
    toMinute: minuteOfDay.nullable(),
    conditionCode: z.string().trim().min(1).max(CONDITION_CODE_MAX).regex(/^\S+$/, 'A code has no spaces').nullable(),
  })
  .refine((e) => (e.fromMinute === null) === (e.toMinute === null), { message: 'A time window needs both a start and an end', path: ['toMinute'] })
  .refine((e) => e.fromMinute === null || e.fromMinute !== e.toMinute, { message: 'A time window cannot start and end at the same time', path: ['toMinute'] });

export const playlistEntriesInput = z.array(playlistEntryInput).max(PLAYLIST_MAX_ENTRIES);

export const clipIdInput = z.object({ clipId: id });
export const queueIdInput = z.object({ queueId: id });
export const savePlaylistInput = z.object({ queueId: id, entries: playlistEntriesInput });

export type PlaylistEntryInput = z.infer<typeof playlistEntryInput>;

/** `HH:MM` (00:00 to 23:59) as minutes of the day; `null` for an empty text; `undefined` when it is not a time. */
export function parseClock(text: string): number | null | undefined {
  const value = text.trim();
  if (value === '') return null;
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return undefined;
  return hours * 60 + minutes;
}

/** Minutes of the day as `HH:MM`. */
export function formatClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
