// Turns a refused schedule change into messages in the reader's language: one per marked field,
// and one for the alert at the top of the form.
import { format } from '@/server/i18n/locales';
import type { Messages } from '@/server/i18n/messages';
import {
  MAX_DURATION_MINUTES,
  MAX_REASON_LENGTH,
  MIN_DURATION_MINUTES,
  WORKING_DAY_END,
  WORKING_DAY_START,
} from '@/server/scheduling/scheduling-config';

export type ScheduleField = 'patientId' | 'clinicianId' | 'date' | 'time' | 'durationMinutes' | 'reason';

type RefusedError = {
  data?: { code?: string; reason?: string | null; zodError?: { fieldErrors: Record<string, string[] | undefined> } | null } | null;
} | null;

/** Which field a refusal from the service is about. */
const FIELD_OF_REASON: Record<string, ScheduleField> = {
  inPast: 'time',
  outsideHours: 'time',
  overlap: 'time',
  patientNotInClinic: 'patientId',
  clinicianNotInClinic: 'clinicianId',
};

function fieldMessage(t: Messages, field: ScheduleField): string {
  if (field === 'durationMinutes') return format(t.schedule.fields.durationMinutes, { min: MIN_DURATION_MINUTES, max: MAX_DURATION_MINUTES });
  if (field === 'reason') return format(t.schedule.fields.reason, { max: MAX_REASON_LENGTH });
  return t.schedule.fields[field];
}

export function reasonMessage(t: Messages, reason: string | null | undefined): string | null {
  switch (reason) {
    case 'outsideHours':
      return format(t.schedule.errors.outsideHours, { start: WORKING_DAY_START, end: WORKING_DAY_END });
    case 'inPast':
    case 'overlap':
    case 'patientNotInClinic':
    case 'clinicianNotInClinic':
    case 'notChangeable':
    case 'notFound':
      return t.schedule.errors[reason];
    default:
      return null;
  }
}

export function describeRefusal(t: Messages, error: RefusedError): { alert: string | null; fields: Partial<Record<ScheduleField, string>> } {
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
  const message = reasonMessage(t, data?.reason);
  const field = data?.reason ? FIELD_OF_REASON[data.reason] : undefined;
  return {
    alert: message ?? (data?.code === 'FORBIDDEN' ? t.errors.forbidden : t.common.somethingWrong),
    fields: field && message ? { [field]: message } : {},
  };
}
