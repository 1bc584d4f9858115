import { z } from 'zod';
import { MAX_DURATION_MINUTES, MAX_REASON_LENGTH, MIN_DURATION_MINUTES } from '@/server/shared/scheduling-config';

const id = (message: string) => z.string({ error: message }).trim().min(1, message).max(64, message);

/** A calendar date in the clinic's time zone, as typed in a date field. */
export const localDateSchema = z
  .string({ error: 'Choose a date' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose a date (year-month-day)')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'This date does not exist');

/** A wall-clock time in the clinic's time zone, 24-hour clock. */
export const localTimeSchema = z.string({ error: 'Choose a time' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Choose a time (hours:minutes, 24-hour clock)');

export const durationSchema = z
  .number({ error: `Enter the length of the visit in minutes, from ${MIN_DURATION_MINUTES} to ${MAX_DURATION_MINUTES}` })
  .int(`Enter whole minutes, from ${MIN_DURATION_MINUTES} to ${MAX_DURATION_MINUTES}`)
  .min(MIN_DURATION_MINUTES, `A visit lasts at least ${MIN_DURATION_MINUTES} minutes`)
  .max(MAX_DURATION_MINUTES, `A visit lasts at most ${MAX_DURATION_MINUTES} minutes`);

const reasonSchema = z
  .string()
  .trim()
  .max(MAX_REASON_LENGTH, `Keep the reason to ${MAX_REASON_LENGTH} characters or fewer`)
  .nullish()
  .transform((value) => (value ? value : null));

export const createAppointmentInput = z.object({
  patientId: id('Choose a patient'),
  clinicianId: id('Choose a clinician'),
  date: localDateSchema,
  time: localTimeSchema,
  durationMinutes: durationSchema,
  reason: reasonSchema,
});

export const rescheduleAppointmentInput = z.object({
  appointmentId: id('Choose an appointment'),
  date: localDateSchema,
  time: localTimeSchema,
  /** Left out: the visit keeps its length. */
  durationMinutes: durationSchema.optional(),
});

export const cancelAppointmentInput = z.object({
  appointmentId: id('Choose an appointment'),
  reason: reasonSchema,
});

export const scheduleViewInput = z.object({
  /** Left out: a clinician sees their own schedule, others the clinic's first clinician. */
  clinicianId: id('Choose a clinician').optional(),
  /** Any day of the wanted day or week; left out: today in the clinic. */
  date: localDateSchema.optional(),
  view: z.enum(['day', 'week'], { error: 'Choose a day or a week view' }),
});

export const patientSearchInput = z.object({
  query: z.string().trim().max(60, 'Search with at most 60 characters').optional(),
});

export const patientRescheduleInput = z.object({
  appointmentId: id('This visit is not known'),
  startsAt: z.iso.datetime({ error: 'Choose one of the free times' }),
});

export type CreateAppointmentInput = z.infer<typeof createAppointmentInput>;
export type RescheduleAppointmentInput = z.infer<typeof rescheduleAppointmentInput>;
export type CancelAppointmentInput = z.infer<typeof cancelAppointmentInput>;
export type ScheduleViewInput = z.infer<typeof scheduleViewInput>;
export type PatientRescheduleInput = z.infer<typeof patientRescheduleInput>;
