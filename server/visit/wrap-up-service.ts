import { db, type Db, type DbTx } from '@/server/db';
import type { Prisma } from '@/server/db/generated/client';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requireCareStaff, requirePatient, requireStaff, type Staff } from '@/server/auth/guards';
import { recordAudit } from '@/server/audit/audit-service';
import { scheduleVisitMessages } from '@/server/notify/reminders';
import { computeFreeSlots } from '@/server/shared/calendar';
import { BLOCKING_STATUSES } from '@/server/shared/scheduling-config';
import { lockClinicianSchedule } from '@/server/scheduling/schedule-repository';
import { queueVisitRecord } from '@/server/clinical/visit-record-service';
import { tryNow } from '@/server/clinical/vitals-service';
import { fhirGateway } from '@/server/fhir/gateway';
import type { WrapUpInput } from '@/server/shared/schemas/visit';

const wrapUpSelect = {
  id: true,
  clinicId: true,
  clinicianId: true,
  patientId: true,
  startsAt: true,
  durationMinutes: true,
  reason: true,
  status: true,
  visitNote: true,
  patient: { select: { familyName: true, givenName: true } },
  clinic: { select: { timeZone: true } },
} satisfies Prisma.AppointmentSelect;

async function loadForWrapUp(principal: Principal, appointmentId: string, client: Db | DbTx = db) {
  const staff = requireCareStaff(principal, 'Only clinicians write visit notes');
  const appointment = await client.appointment.findUnique({ where: { id: appointmentId }, select: wrapUpSelect });
  if (!appointment) throw notFound('This visit does not exist');
  if (appointment.clinicId !== staff.clinicId) throw forbidden('This visit belongs to another clinic');
  return { staff, appointment };
}

/**
 * One wrap-up save of a visit at a time, so a double submit reads the note the first one wrote (and books
 * nothing more). Its own lock, taken first: it waits on no other lock, so it adds no lock order.
 */
async function lockWrapUp(tx: DbTx, appointmentId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`wrap-up:${appointmentId}`}))`;
}

export async function wrapUpView(principal: Principal, appointmentId: string) {
  const { appointment } = await loadForWrapUp(principal, appointmentId);
  const next = appointment.visitNote?.nextAppointmentId
    ? await db.appointment.findUnique({ where: { id: appointment.visitNote.nextAppointmentId }, select: { id: true, startsAt: true } })
    : null;
  return { appointment, note: appointment.visitNote, next, timeZone: appointment.clinic.timeZone };
}

/**
 * The first free slot at or after `wanted` within the clinic's working hours (skipping closed days)
 * that overlaps none of the clinician's visits.
 */
async function firstFreeStart(tx: DbTx, clinician: { id: string; timeZone: string }, wanted: Date, durationMinutes: number): Promise<Date> {
  await lockClinicianSchedule(tx, clinician.id);
  const days = 7;
  const busy = await tx.appointment.findMany({
    where: {
      clinicianId: clinician.id,
      status: { in: [...BLOCKING_STATUSES] },
      startsAt: { gte: new Date(wanted.getTime() - 24 * 3600_000), lt: new Date(wanted.getTime() + (days + 1) * 24 * 3600_000) },
    },
    select: { startsAt: true, durationMinutes: true },
  });
  const [first] = computeFreeSlots({ timeZone: clinician.timeZone, from: wanted, days, durationMinutes, busy, now: new Date() });
  if (!first) throw conflict('The clinician has no free time near that date; book the follow-up from the schedule', 'noFreeSlot');
  return first;
}

/**
 * Who writes a visit's assessment and plan: a clinician (the visit's own, or one of its clinic taking it
 * over). Nurses see the note but do not write it. The router asks here too, so the refusal says why.
 */
export function requireWrapUpWriter(principal: Principal): Staff {
  return requireStaff(principal, ['CLINICIAN'], 'Only a clinician writes the assessment and plan', 'clinicianOnly');
}

/**
 * Saves the clinician's note and, in the same transaction, books the next follow-up at the same time of
 * day after the chosen interval (moved to the next free slot if that time is taken).
 */
export async function saveWrapUp(principal: Principal, input: WrapUpInput) {
  requireWrapUpWriter(principal);
  const saved = await db.$transaction(async (tx) => {
    await lockWrapUp(tx, input.appointmentId);
    // Read under the lock: the note (and the follow-up it booked) as the previous save left it.
    const { staff, appointment } = await loadForWrapUp(principal, input.appointmentId, tx);
    if (appointment.status === 'CANCELLED' || appointment.status === 'NO_SHOW') {
      throw conflict('A cancelled visit has no wrap-up', 'revoked');
    }
    let nextAppointmentId = appointment.visitNote?.nextAppointmentId ?? null;
    if (input.bookNext && input.nextFollowUpDays && !nextAppointmentId) {
      const wanted = new Date(appointment.startsAt.getTime() + input.nextFollowUpDays * 24 * 3600_000);
      const startsAt = await firstFreeStart(tx, { id: appointment.clinicianId, timeZone: appointment.clinic.timeZone }, wanted, appointment.durationMinutes);
      const next = await tx.appointment.create({
        data: {
          clinicId: appointment.clinicId,
          patientId: appointment.patientId,
          clinicianId: appointment.clinicianId,
          startsAt,
          durationMinutes: appointment.durationMinutes,
          reason: appointment.reason,
          previousAppointmentId: appointment.id,
        },
      });
      await scheduleVisitMessages(tx, next);
      nextAppointmentId = next.id;
    }
    const fields = {
      freeText: input.freeText,
      assessment: input.assessment,
      plan: input.plan,
      nextFollowUpDays: input.nextFollowUpDays,
      nextAppointmentId,
    };
    // Whoever saves is the author of the text now; a clinician taking the visit over becomes its author.
    const previousAuthorId = appointment.visitNote?.authorId ?? null;
    const note = await tx.visitNote.upsert({
      where: { appointmentId: appointment.id },
      create: { appointmentId: appointment.id, authorId: staff.id, ...fields },
      update: { authorId: staff.id, ...fields },
    });
    await tx.visitNoteRevision.create({
      data: {
        visitNoteId: note.id,
        authorId: staff.id,
        freeText: fields.freeText,
        assessment: fields.assessment,
        plan: fields.plan,
        nextFollowUpDays: fields.nextFollowUpDays,
      },
    });
    await recordAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'visit.wrap-up-saved',
      clinicId: appointment.clinicId,
      patientId: appointment.patientId,
      subject: `Appointment/${appointment.id}`,
      ...(previousAuthorId && previousAuthorId !== staff.id ? { detail: { tookOverFrom: `staff:${previousAuthorId}` } } : {}),
    });
    const fhirWriteId = await queueVisitRecord(tx, { appointment, authorActor: `staff:${staff.id}`, note: fields });
    return { noteId: note.id, nextAppointmentId, fhirWriteId };
  });
  // The Encounter and note reach FHIR now, or from the queue once the FHIR server is back.
  if (saved.fhirWriteId) await tryNow(fhirGateway, saved.fhirWriteId);
  return { noteId: saved.noteId, nextAppointmentId: saved.nextAppointmentId };
}

/** What the patient sees after the visit: the plan and the next appointment, nothing else. */
export async function visitSummary(principal: Principal) {
  const patient = requirePatient(principal, 'Only the patient sees their visit summary');
  const appointment = await db.appointment.findUniqueOrThrow({
    where: { id: patient.appointmentId },
    select: {
      status: true,
      startsAt: true,
      clinic: { select: { name: true, timeZone: true } },
      clinician: { select: { name: true } },
      visitNote: { select: { plan: true, nextFollowUpDays: true, nextAppointmentId: true, updatedAt: true } },
    },
  });
  const next = appointment.visitNote?.nextAppointmentId
    ? await db.appointment.findUnique({
        where: { id: appointment.visitNote.nextAppointmentId },
        select: { startsAt: true, status: true },
      })
    : null;
  return {
    clinicName: appointment.clinic.name,
    clinicianName: appointment.clinician.name,
    timeZone: appointment.clinic.timeZone,
    visitStatus: appointment.status,
    plan: appointment.visitNote?.plan ?? null,
    nextFollowUpDays: appointment.visitNote?.nextFollowUpDays ?? null,
    next: next && next.status !== 'CANCELLED' ? { startsAt: next.startsAt.toISOString() } : null,
  };
}
