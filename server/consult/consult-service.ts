import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { findForConsult } from '@/server/scheduling/appointment-repository';
import { completeTask } from '@/server/routing/routing-service';

export const MAX_CONSULT_PARTICIPANTS = 6;
const CLOSED = new Set(['CANCELLED', 'COMPLETED', 'NO_SHOW']);

export function consultRoomName(appointmentId: string): string {
  return `consult-${appointmentId}`;
}

export type ConsultRole = 'patient' | 'clinician' | 'nurse';

/** Who may enter an appointment's consult room: its patient, and clinicians or nurses of its clinic. */
export async function authorizeConsult(principal: Principal, appointmentId: string) {
  const appointment = await findForConsult(db, appointmentId);
  if (!appointment) throw notFound('This consult does not exist', 'notFound');
  if (principal.kind === 'patient') {
    if (principal.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
    // Patients come in through the waiting room: the room opens once a clinician has taken them.
    const taken = await db.task.count({ where: { appointmentId: appointment.id, state: 'ASSIGNED' } });
    if (taken === 0) throw forbidden('Your clinician has not taken your visit yet', 'notYourTurn');
  } else {
    if (principal.clinicId !== appointment.clinicId) throw forbidden('This consult belongs to another clinic', 'forbidden');
    if (principal.role === 'ADMIN') throw forbidden('Administrators do not join consults', 'forbidden');
  }
  if (CLOSED.has(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');
  const role: ConsultRole =
    principal.kind === 'patient' ? 'patient' : principal.role === 'NURSE' ? 'nurse' : 'clinician';
  return { appointment, role };
}

export async function joinConsult(gateway: LivekitGateway, principal: Principal, appointmentId: string) {
  const { appointment, role } = await authorizeConsult(principal, appointmentId);
  const room = consultRoomName(appointment.id);
  await gateway.ensureRoom(room, { maxParticipants: MAX_CONSULT_PARTICIPANTS, emptyTimeoutSeconds: 300 });
  const token = await gateway.issueJoinToken({
    room,
    identity: principal.id,
    name: principal.name,
    metadata: JSON.stringify({ role }),
    canPublish: true,
    canShareScreen: role !== 'patient',
  });
  await db.$transaction(async (tx) => {
    if (role === 'clinician' && appointment.status !== 'IN_PROGRESS') {
      await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'IN_PROGRESS' } });
    }
    await recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.join',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
    });
  });
  return { serverUrl: gateway.serverUrl, token, room, role };
}

/** The clinician ends the consult: the visit is completed first, then the room closes for everyone. */
export async function endConsult(gateway: LivekitGateway, principal: Principal, appointmentId: string) {
  await completeTask(principal, appointmentId);
  await gateway.closeRoom(consultRoomName(appointmentId)).catch(() => {
    // The visit is already completed; an unreachable LiveKit empties the room on its own timeout.
  });
  return { ended: true };
}
