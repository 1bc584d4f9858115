// Clinic working hours and booking limits: the one place these numbers live.
import type { AppointmentStatus } from '@/server/db/generated/enums';

/** Clinic-local wall-clock times (HH:MM, 24 h) between which visits may take place. */
export const WORKING_DAY_START = '08:00';
export const WORKING_DAY_END = '18:00';
/** Days the clinic sees patients, as JavaScript weekdays (0 = Sunday): Monday to Saturday. */
export const WORKING_WEEKDAYS: readonly number[] = [1, 2, 3, 4, 5, 6];
/** Free start times are offered on this grid, counted from the start of the working day. */
export const SLOT_MINUTES = 15;

export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 120;
export const DEFAULT_DURATION_MINUTES = 15;
export const MAX_REASON_LENGTH = 200;

/** How far ahead a patient may move their own visit. */
export const PATIENT_RESCHEDULE_DAYS = 14;
/** A patient may not move their visit to a time this soon: the clinician needs notice to plan. */
export const PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES = 60;

/** Appointments that hold the clinician's time: a new one may not overlap them. */
export const BLOCKING_STATUSES = ['SCHEDULED', 'CHECKED_IN', 'IN_PROGRESS'] as const satisfies readonly AppointmentStatus[];
/** Appointments that may still be moved or cancelled (not started, not ended). */
export const CHANGEABLE_STATUSES = ['SCHEDULED', 'CHECKED_IN'] as const satisfies readonly AppointmentStatus[];
