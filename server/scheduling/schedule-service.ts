// Booking, moving and cancelling follow-up visits, for clinic staff and for the patient of a visit.
import { db, type DbTx } from '@/server/db';
import { conflict, DomainError, forbidden, notFound, type ErrorReason } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requirePatient, requireStaff, type PatientPrincipal } from '@/server/auth/guards';
import { recordAudit } from '@/server/audit/audit-service';
import { queueMessage } from '@/server/notify/outbox';
import { cancelVisitMessages, scheduleVisitMessages } from '@/server/notify/reminders';
import { endOpenTasks } from '@/server/routing/tasks';
import { formatDateTime, formatTime, localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { findForClinicBetween } from './appointment-repository';
import {
  addDays,
  computeFreeSlots,
  endOf,
  groupByLocalDate,
  isOnSlotGrid,
  isWithinWorkingHours,
  isWorkingDay,
  overlaps,
  weekStart,
} from '@/server/shared/calendar';
import {
  findBlockingForClinician,
  findByIdForScheduling,
  findClinicianInClinic,
  findCliniciansOfClinic,
  findPatientInClinic,
  findPatientsOfClinic,
  lockClinicianSchedule,
  type ScheduledAppointment,
} from './schedule-repository';
import {
  CHANGEABLE_STATUSES,
  DEFAULT_DURATION_MINUTES,
  PATIENT_RESCHEDULE_DAYS,
  PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES,
  WORKING_DAY_END,
  WORKING_DAY_START,
} from '@/server/shared/scheduling-config';
import type { CancelAppointmentInput, CreateAppointmentInput, PatientRescheduleInput, RescheduleAppointmentInput, ScheduleViewInput } from './schemas';

const PATIENT_SEARCH_LIMIT = 50;

const invalid = (message: string, reason: ErrorReason) => new DomainError('BAD_REQUEST', message, reason);

const STAFF_ONLY = 'Only clinic staff can manage the schedule';
const PATIENT_ONLY = 'Only the patient of a visit can move it from their link';

function isChangeable(status: string): boolean {
  return (CHANGEABLE_STATUSES as readonly string[]).includes(status);
}

async function clinicOf(clinicId: string) {
  const clinic = await db.clinic.findUnique({ where: { id: clinicId }, select: { name: true, timeZone: true } });
  if (!clinic) throw notFound('Clinic not found', 'notFound');
  return clinic;
}

/**
 * Refuses a time that is past, outside the clinic's working hours or overlapping another of the
 * clinician's visits. Run under the clinician's schedule lock so two bookings cannot both pass.
 */
async function assertBookable(
  tx: DbTx,
  visit: { clinicianId: string; startsAt: Date; durationMinutes: number; timeZone: string; excludeAppointmentId?: string },
  now: Date,
) {
  if (visit.startsAt <= now) throw invalid('The visit must start in the future', 'inPast');
  if (!isWithinWorkingHours(visit, visit.timeZone)) {
    throw invalid(
      `Visits take place Monday to Saturday, ${WORKING_DAY_START}–${WORKING_DAY_END} clinic time, and must end by ${WORKING_DAY_END}`,
      'outsideHours',
    );
  }
  const nearby = await findBlockingForClinician(tx, {
    clinicianId: visit.clinicianId,
    start: visit.startsAt,
    end: endOf(visit),
    excludeAppointmentId: visit.excludeAppointmentId,
  });
  const clash = nearby.find((other) => overlaps(visit, other));
  if (clash) {
    const from = formatDateTime(clash.startsAt, visit.timeZone, 'en');
    const to = formatTime(endOf(clash), visit.timeZone, 'en');
    throw conflict(`The clinician already has a visit from ${from} to ${to} (clinic time)`, 'overlap');
  }
}

function notChangeable(status: string) {
  return conflict(`This visit is ${status.toLowerCase().replace('_', ' ')} and can no longer be changed`, 'notChangeable');
}

/** Moves a visit (same id) and tells the patient: old reminders skipped, new ones queued. */
async function moveAppointment(tx: DbTx, appointment: ScheduledAppointment, to: { startsAt: Date; durationMinutes: number }, actor: string, now: Date) {
  await assertBookable(tx, { clinicianId: appointment.clinicianId, ...to, timeZone: appointment.clinic.timeZone, excludeAppointmentId: appointment.id }, now);
  const unchanged = to.startsAt.getTime() === appointment.startsAt.getTime() && to.durationMinutes === appointment.durationMinutes;
  if (unchanged) return;
  // A patient waiting in the queue for a visit that moves leaves the queue.
  await endOpenTasks(tx, appointment.clinicId, { appointmentId: appointment.id }, 'rescheduled', now);
  // Conditional: a consult that started a moment ago is not moved from under the clinician.
  const moved = await tx.appointment.updateMany({
    where: { id: appointment.id, status: { in: [...CHANGEABLE_STATUSES] } },
    data: { startsAt: to.startsAt, durationMinutes: to.durationMinutes, status: 'SCHEDULED' },
  });
  if (moved.count !== 1) throw notChangeable('in progress');
  // For a visit that already had messages, this skips those still queued for the old time (as
  // "rescheduled") and queues the RESCHEDULED notice and the new reminders: the patient is told once.
  await scheduleVisitMessages(tx, {
    id: appointment.id,
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    startsAt: to.startsAt,
  });
  await recordAudit(tx, {
    actor,
    action: 'appointment.rescheduled',
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    subject: `Appointment/${appointment.id}`,
    detail: {
      from: appointment.startsAt.toISOString(),
      to: to.startsAt.toISOString(),
      durationMinutes: to.durationMinutes,
    },
  });
}

async function readForChange(tx: DbTx, appointmentId: string) {
  const appointment = await findByIdForScheduling(tx, appointmentId);
  if (!appointment) throw notFound('This appointment does not exist', 'notFound');
  return appointment;
}

/** Reads the appointment, takes its clinician's schedule lock, and reads it again under the lock. */
async function lockedAppointment(tx: DbTx, appointmentId: string) {
  const first = await readForChange(tx, appointmentId);
  await lockClinicianSchedule(tx, first.clinicianId);
  return readForChange(tx, appointmentId);
}

// ---------------------------------------------------------------------------------------------
// Staff

/** What the schedule screen needs first: the clinic, its time zone, today there, and its clinicians. */
export async function getScheduleContext(principal: Principal, now = new Date()) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  const clinic = await clinicOf(staff.clinicId);
  const clinicians = await findCliniciansOfClinic(db, staff.clinicId);
  return { clinicName: clinic.name, timeZone: clinic.timeZone, today: localDate(now, clinic.timeZone), clinicians };
}

export async function listPatients(principal: Principal, query?: string) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  return findPatientsOfClinic(db, staff.clinicId, query, PATIENT_SEARCH_LIMIT);
}

/** One clinician's day or week (Monday to Sunday), grouped by clinic-local date. */
export async function listSchedule(principal: Principal, input: ScheduleViewInput, now = new Date()) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  const clinic = await clinicOf(staff.clinicId);
  const clinicians = await findCliniciansOfClinic(db, staff.clinicId);
  const clinicianId = input.clinicianId ?? (staff.role === 'CLINICIAN' ? staff.id : (clinicians[0]?.id ?? null));
  const clinician = clinicianId ? clinicians.find((c) => c.id === clinicianId) : undefined;
  if (clinicianId && !clinician) throw forbidden('This clinician does not work at your clinic', 'clinicianNotInClinic');

  const today = localDate(now, clinic.timeZone);
  const date = input.date ?? today;
  const first = input.view === 'week' ? weekStart(date) : date;
  const count = input.view === 'week' ? 7 : 1;
  const start = zonedTimeToUtc(first, '00:00', clinic.timeZone);
  const end = zonedTimeToUtc(addDays(first, count), '00:00', clinic.timeZone);
  const appointments = clinician ? await findForClinicBetween(db, { clinicId: staff.clinicId, clinicianId: clinician.id, start, end }) : [];
  const days = Array.from({ length: count }, (_, i) => {
    const day = addDays(first, i);
    return {
      date: day,
      workingDay: isWorkingDay(day),
      appointments: appointments.filter((a) => localDate(a.startsAt, clinic.timeZone) === day),
    };
  });
  return {
    clinicName: clinic.name,
    timeZone: clinic.timeZone,
    today,
    view: input.view,
    date,
    clinician: clinician ?? null,
    days,
  };
}

export async function createAppointment(principal: Principal, input: CreateAppointmentInput, now = new Date()) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  const clinic = await clinicOf(staff.clinicId);
  const startsAt = zonedTimeToUtc(input.date, input.time, clinic.timeZone);
  return db.$transaction(async (tx) => {
    const patient = await findPatientInClinic(tx, input.patientId, staff.clinicId);
    if (!patient) throw forbidden('This patient is not registered at your clinic', 'patientNotInClinic');
    const clinician = await findClinicianInClinic(tx, input.clinicianId, staff.clinicId);
    if (!clinician) throw forbidden('This clinician does not work at your clinic', 'clinicianNotInClinic');
    await lockClinicianSchedule(tx, clinician.id);
    await assertBookable(tx, { clinicianId: clinician.id, startsAt, durationMinutes: input.durationMinutes, timeZone: clinic.timeZone }, now);
    const appointment = await tx.appointment.create({
      data: {
        clinicId: staff.clinicId,
        patientId: patient.id,
        clinicianId: clinician.id,
        startsAt,
        durationMinutes: input.durationMinutes,
        reason: input.reason,
      },
      select: { id: true, clinicId: true, patientId: true, clinicianId: true, startsAt: true, durationMinutes: true, status: true },
    });
    await scheduleVisitMessages(tx, appointment);
    await recordAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'appointment.created',
      clinicId: staff.clinicId,
      patientId: patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { clinicianId: clinician.id, startsAt: startsAt.toISOString(), durationMinutes: input.durationMinutes },
    });
    return appointment;
  });
}

export async function rescheduleAppointment(principal: Principal, input: RescheduleAppointmentInput, now = new Date()) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  return db.$transaction(async (tx) => {
    const appointment = await lockedAppointment(tx, input.appointmentId);
    if (appointment.clinicId !== staff.clinicId) throw forbidden('This appointment belongs to another clinic', 'forbidden');
    if (!isChangeable(appointment.status)) throw notChangeable(appointment.status);
    const startsAt = zonedTimeToUtc(input.date, input.time, appointment.clinic.timeZone);
    const durationMinutes = input.durationMinutes ?? appointment.durationMinutes;
    await moveAppointment(tx, appointment, { startsAt, durationMinutes }, `staff:${staff.id}`, now);
    return { id: appointment.id, startsAt, durationMinutes, status: 'SCHEDULED' as const };
  });
}

export async function cancelAppointment(principal: Principal, input: CancelAppointmentInput, now = new Date()) {
  const staff = requireStaff(principal, undefined, STAFF_ONLY);
  return db.$transaction(async (tx) => {
    const appointment = await lockedAppointment(tx, input.appointmentId);
    if (appointment.clinicId !== staff.clinicId) throw forbidden('This appointment belongs to another clinic', 'forbidden');
    if (!isChangeable(appointment.status)) throw notChangeable(appointment.status);
    await endOpenTasks(tx, appointment.clinicId, { appointmentId: appointment.id }, 'appointmentCancelled', now);
    const cancelled = await tx.appointment.updateMany({
      where: { id: appointment.id, status: { in: [...CHANGEABLE_STATUSES] } },
      data: { status: 'CANCELLED' },
    });
    if (cancelled.count !== 1) throw notChangeable('in progress');
    await cancelVisitMessages(tx, appointment.id);
    await queueMessage(tx, {
      clinicId: appointment.clinicId,
      patientId: appointment.patientId,
      appointmentId: appointment.id,
      kind: 'CANCELLED',
      // The visit-message key format of server/notify/message-keys.ts: `<KIND>:<appointmentId>:<startsAt ISO>`.
      dedupeKey: `CANCELLED:${appointment.id}:${appointment.startsAt.toISOString()}`,
    });
    await recordAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'appointment.cancelled',
      clinicId: appointment.clinicId,
      patientId: appointment.patientId,
      subject: `Appointment/${appointment.id}`,
      detail: { startsAt: appointment.startsAt.toISOString(), reason: input.reason },
    });
    return { id: appointment.id, status: 'CANCELLED' as const };
  });
}

// ---------------------------------------------------------------------------------------------
// Free slots

/**
 * Free start times (UTC) of a clinician for a visit of the given length, on `days` clinic-local days
 * from the day `from` falls on, never before `from` or `now`.
 */
export async function freeSlots(
  clinicianId: string,
  from: Date,
  days: number,
  options: { durationMinutes?: number; excludeAppointmentId?: string; now?: Date; tx?: DbTx } = {},
): Promise<Date[]> {
  const tx = options.tx ?? db;
  const clinician = await tx.user.findUnique({ where: { id: clinicianId }, select: { clinic: { select: { timeZone: true } } } });
  if (!clinician) throw notFound('This clinician does not exist', 'notFound');
  const timeZone = clinician.clinic.timeZone;
  const firstDate = localDate(from, timeZone);
  const busy = await findBlockingForClinician(tx, {
    clinicianId,
    start: zonedTimeToUtc(firstDate, '00:00', timeZone),
    end: zonedTimeToUtc(addDays(firstDate, days), '00:00', timeZone),
    excludeAppointmentId: options.excludeAppointmentId,
  });
  return computeFreeSlots({
    timeZone,
    from,
    days,
    durationMinutes: options.durationMinutes ?? DEFAULT_DURATION_MINUTES,
    busy,
    now: options.now ?? new Date(),
  });
}

// ---------------------------------------------------------------------------------------------
// The patient, signed in by their link

async function ownAppointment(tx: DbTx, patient: PatientPrincipal, appointmentId: string) {
  if (appointmentId !== patient.appointmentId) throw forbidden('You can only change your own visit', 'notYourVisit');
  const appointment = await findByIdForScheduling(tx, appointmentId);
  if (!appointment || appointment.patientId !== patient.id) throw forbidden('You can only change your own visit', 'notYourVisit');
  return appointment;
}

function earliestPatientStart(now: Date): Date {
  return new Date(now.getTime() + PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES * 60_000);
}

/** The patient's visit and their clinician's free times for the next days, grouped by clinic-local day. */
export async function listMyFreeSlots(principal: Principal, now = new Date()) {
  const patient = requirePatient(principal, PATIENT_ONLY);
  const appointment = await ownAppointment(db, patient, patient.appointmentId);
  if (!isChangeable(appointment.status)) throw notChangeable(appointment.status);
  const timeZone = appointment.clinic.timeZone;
  const slots = await freeSlots(appointment.clinicianId, now, PATIENT_RESCHEDULE_DAYS, {
    durationMinutes: appointment.durationMinutes,
    excludeAppointmentId: appointment.id,
    now: earliestPatientStart(now),
  });
  // The visit's own time is free for it, but offering it as "another time" would only confuse.
  const others = slots.filter((slot) => slot.getTime() !== appointment.startsAt.getTime());
  return {
    appointmentId: appointment.id,
    timeZone,
    current: { startsAt: appointment.startsAt, durationMinutes: appointment.durationMinutes },
    days: groupByLocalDate(others, timeZone),
  };
}

/** The patient moves their own visit to one of their clinician's free times. */
export async function rescheduleMyAppointment(principal: Principal, input: PatientRescheduleInput, now = new Date()) {
  const patient = requirePatient(principal, PATIENT_ONLY);
  const startsAt = new Date(input.startsAt);
  return db.$transaction(async (tx) => {
    const first = await ownAppointment(tx, patient, input.appointmentId);
    await lockClinicianSchedule(tx, first.clinicianId);
    const appointment = await ownAppointment(tx, patient, input.appointmentId);
    if (!isChangeable(appointment.status)) throw notChangeable(appointment.status);
    if (startsAt <= now) throw invalid('The visit must start in the future', 'inPast');
    if (startsAt < earliestPatientStart(now)) {
      throw conflict(`Choose a time at least ${PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES} minutes from now`, 'notFreeSlot');
    }
    const timeZone = appointment.clinic.timeZone;
    const lastDate = addDays(localDate(now, timeZone), PATIENT_RESCHEDULE_DAYS - 1);
    if (!isOnSlotGrid(startsAt, timeZone) || localDate(startsAt, timeZone) > lastDate) {
      throw conflict('Choose one of the free times offered', 'notFreeSlot');
    }
    await moveAppointment(tx, appointment, { startsAt, durationMinutes: appointment.durationMinutes }, `patient:${patient.id}`, now);
    return { id: appointment.id, startsAt, durationMinutes: appointment.durationMinutes };
  });
}
