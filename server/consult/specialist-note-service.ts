import { db } from '@/server/db';
import { forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requireCareStaff, requireStaff } from '@/server/auth/guards';

/** A specialist called into this consult (now or earlier) writes their note, even after the consult ended. */
async function requireCalledSpecialist(principal: Principal, appointmentId: string) {
  const specialist = requireStaff(principal, ['CLINICIAN'], 'Only specialists write specialist notes', 'notAllowed');
  const requests = await db.specialistRequest.findMany({ where: { appointmentId }, select: { taskId: true } });
  const assigned = await db.task.count({
    where: { id: { in: requests.map((r) => r.taskId) }, assignedClinicianId: specialist.id, state: { in: ['ASSIGNED', 'COMPLETED'] } },
  });
  if (assigned === 0) throw forbidden('You were not called into this consult as a specialist', 'notAllowed');
  return specialist;
}

export async function saveSpecialistNote(principal: Principal, input: { appointmentId: string; text: string }) {
  const specialist = await requireCalledSpecialist(principal, input.appointmentId);
  const note = await db.specialistNote.upsert({
    where: { appointmentId_authorId: { appointmentId: input.appointmentId, authorId: specialist.id } },
    create: { appointmentId: input.appointmentId, authorId: specialist.id, authorName: specialist.name, authorRole: 'SPECIALIST', text: input.text },
    update: { text: input.text },
    select: { id: true, updatedAt: true },
  });
  return { id: note.id, savedAt: note.updatedAt.toISOString() };
}

export async function mySpecialistNote(principal: Principal, appointmentId: string) {
  const specialist = await requireCalledSpecialist(principal, appointmentId);
  const note = await db.specialistNote.findUnique({
    where: { appointmentId_authorId: { appointmentId, authorId: specialist.id } },
    select: { text: true, updatedAt: true },
  });
  return note && { text: note.text, savedAt: note.updatedAt.toISOString() };
}

/** Specialists' notes shown with the visit (wrap-up): to clinical staff of the visit's clinic. */
export async function specialistNotesOfVisit(principal: Principal, appointmentId: string) {
  const staff = requireCareStaff(principal, 'Only clinicians see specialist notes', 'notAllowed');
  const appointment = await db.appointment.findUnique({ where: { id: appointmentId }, select: { clinicId: true } });
  if (!appointment) throw notFound('This visit does not exist');
  if (appointment.clinicId !== staff.clinicId) throw forbidden('This visit belongs to another clinic', 'forbidden');
  const notes = await db.specialistNote.findMany({ where: { appointmentId }, orderBy: { createdAt: 'asc' } });
  return notes.map((n) => ({ id: n.id, authorName: n.authorName, authorRole: n.authorRole, text: n.text, updatedAt: n.updatedAt.toISOString() }));
}
