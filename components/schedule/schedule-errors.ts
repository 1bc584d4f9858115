// Turns a refused schedule change into messages in the reader's language: one per marked field,
// and one for the alert at the top of the form.
import type { ErrorReason } from '@/server/errors';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { errorMessage, type ErrorMessageOptions, type RefusedError } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { MAX_DURATION_MINUTES, MAX_REASON_LENGTH, MIN_DURATION_MINUTES, WORKING_DAY_END, WORKING_DAY_START } from '@/server/shared/scheduling-config';

export type ScheduleField = 'patientId' | 'clinicianId' | 'date' | 'time' | 'durationMinutes' | 'reason';

type ScheduleStrings = Pick<Messages, 'schedule' | 'errors' | 'common'>;

type RefusedChange = {
  data?: { code?: string; reason?: string | null; zodError?: { fieldErrors: Record<string, string[] | undefined> } | null } | null;
} | null;

/** The working hours the outsideHours message names. */
export const scheduleErrorValues = { start: WORKING_DAY_START, end: WORKING_DAY_END };

/** Which field a refusal from the service is about. */
const FIELD_OF_REASON: Partial<Record<ErrorReason, ScheduleField>> = {
  inPast: 'time',
  outsideHours: 'time',
  overlap: 'time',
  patientNotInClinic: 'patientId',
  clinicianNotInClinic: 'clinicianId',
};

function fieldMessage(t: ScheduleStrings, field: ScheduleField): string {
  if (field === 'durationMinutes') return format(t.schedule.fields.durationMinutes, { min: MIN_DURATION_MINUTES, max: MAX_DURATION_MINUTES });
  if (field === 'reason') return format(t.schedule.fields.reason, { max: MAX_REASON_LENGTH });
  return t.schedule.fields[field];
}

function staffWords(t: ScheduleStrings): ErrorMessageOptions {
  return { reasons: { notFound: t.schedule.appointmentGone }, codes: { FORBIDDEN: t.errors.forbidden }, values: scheduleErrorValues };
}

/** The message for a refused schedule read or change, as the clinic's staff see it. */
export function scheduleErrorMessage(t: ScheduleStrings, error: RefusedError): string {
  return errorMessage(error, t, staffWords(t));
}

export function describeRefusal(t: ScheduleStrings, error: RefusedChange): { alert: string | null; fields: Partial<Record<ScheduleField, string>> } {
  if (!error) return { alert: null, fields: {} };
  const data = error.data;
  const zodFields = data?.code === 'BAD_REQUEST' ? data.zodError?.fieldErrors : undefined;
  if (zodFields) {
    const fields: Partial<Record<ScheduleField, string>> = {};
    for (const [field, messages] of Object.entries(zodFields)) {
      if (messages?.length) fields[field as ScheduleField] = fieldMessage(t, field as ScheduleField);
    }
    return { alert: t.schedule.invalid, fields };
  }
  const alert = scheduleErrorMessage(t, error);
  const field = data?.reason ? FIELD_OF_REASON[data.reason as ErrorReason] : undefined;
  return { alert, fields: field ? { [field]: alert } : {} };
}
