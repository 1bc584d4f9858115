// The one place that decides who counts as a participant of a consult for clinical data: what is shared
// in the call, and home vitals entered during it. Guests invited to one consult are to be accepted here too.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';

const CLOSED = new Set(['CANCELLED', 'COMPLETED', 'NO_SHOW']);

export type ParticipantRole = 'patient' | 'clinician' | 'nurse';

export type ConsultParticipant = {
  role: ParticipantRole;
  actor: string;
  appointment: { id: string; clinicId: string; patientId: string; clinicianId: string; status: string; startsAt: Date; reason: string | null };
};

export async function findConsultAppointment(appointmentId: string) {
  const appointment = await db.appointment.findUnique({
    where: { id: appointmentId },
    select: { id: true, clinicId: true, patientId: true, clinicianId: true, status: true, startsAt: true, reason: true },
  });
  if (!appointment) throw notFound('This consult does not exist', 'notFound');
  return appointment;
}

/**
 * A participant of this appointment's consult: its own patient, or a clinician or nurse of its clinic.
 * `open` (the default) also requires the visit not to have ended: shared panels end with the consult.
 */
export async function authorizeConsultParticipant(
  principal: Principal,
  appointmentId: string,
  options: { open?: boolean } = {},
): Promise<ConsultParticipant> {
  const appointment = await findConsultAppointment(appointmentId);
  let role: ParticipantRole;
  if (principal.kind === 'patient') {
    if (principal.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
    role = 'patient';
  } else if (principal.kind === 'staff') {
    if (principal.clinicId !== appointment.clinicId) throw forbidden('This consult belongs to another clinic', 'forbidden');
    if (principal.role === 'ADMIN') throw forbidden('Administrators do not take part in consults', 'forbidden');
    role = principal.role === 'NURSE' ? 'nurse' : 'clinician';
  } else {
    throw forbidden('Not a participant of this consult', 'forbidden');
  }
  if ((options.open ?? true) && CLOSED.has(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');
  return { role, actor: `${principal.kind}:${principal.id}`, appointment };
}

export function requireStaffParticipant(participant: ConsultParticipant) {
  if (participant.role === 'patient') throw forbidden('Only the care team can do this', 'forbidden');
  return participant;
}
