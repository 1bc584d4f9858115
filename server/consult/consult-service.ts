import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { findForConsult } from '@/server/scheduling/appointment-repository';
import { completeTask } from '@/server/routing/routing-service';
import { env } from '@/server/env';
import { finishSpecialistTasks } from './specialist-tasks';
import { may, permissionsOf, type ParticipantMetadata, type PartyRole } from './consult-policy';

/** The default; CONSULT_MAX_PARTICIPANTS (env) sets it per deployment. */
export const MAX_CONSULT_PARTICIPANTS = 6;
const CLOSED = new Set(['CANCELLED', 'COMPLETED', 'NO_SHOW']);

export function consultRoomName(appointmentId: string): string {
  return `consult-${appointmentId}`;
}

/** The appointment id of a consult room's name, or null for any other room. */
export function appointmentIdOfRoom(room: string | undefined | null): string | null {
  return room?.startsWith('consult-') ? room.slice('consult-'.length) || null : null;
}

/** A guest's LiveKit identity: their invite, never a staff or patient id. */
export function guestIdentity(inviteId: string): string {
  return `guest_${inviteId}`;
}

export type ConsultRole = 'patient' | 'clinician' | 'nurse' | 'guest';

async function consultStarted(appointmentId: string) {
  return (await db.task.count({ where: { appointmentId, state: 'ASSIGNED' } })) > 0;
}

/** The live specialist request this clinician was assigned for this consult, if any. */
export async function assignedSpecialistRequest(clinicianId: string, appointmentId: string) {
  return db.specialistRequest.findFirst({
    where: { appointmentId, cancelledAt: null, taskId: { in: await assignedTaskIds(clinicianId) } },
    select: { id: true, taskId: true },
  });
}

async function assignedTaskIds(clinicianId: string) {
  const tasks = await db.task.findMany({
    where: { assignedClinicianId: clinicianId, state: 'ASSIGNED', channel: 'SPECIALIST_REQUEST' },
    select: { id: true },
  });
  return tasks.map((t) => t.id);
}

/**
 * Who may enter an appointment's consult room: its patient; clinicians and nurses of its clinic; a
 * specialist assigned to a request for this consult; a guest whose invite is still open.
 */
export async function authorizeConsult(principal: Principal, appointmentId: string) {
  const appointment = await findForConsult(db, appointmentId);
  if (!appointment) throw notFound('This consult does not exist', 'notFound');
  let partyRole: PartyRole;
  if (principal.kind === 'patient') {
    if (principal.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
    // Patients come in through the waiting room: the room opens once a clinician has taken them.
    if (!(await consultStarted(appointment.id))) throw forbidden('Your clinician has not taken your visit yet', 'notYourTurn');
    partyRole = 'PATIENT';
  } else if (principal.kind === 'guest') {
    if (principal.appointmentId !== appointment.id) throw forbidden('This consult belongs to another visit', 'forbidden');
    const invite = await db.consultInvite.findUnique({ where: { id: principal.id }, select: { revokedAt: true, expiresAt: true } });
    if (!invite || invite.revokedAt) throw forbidden('You were removed from this consult', 'guestRemoved');
    if (invite.expiresAt <= new Date()) throw forbidden('This invitation has expired', 'inviteExpired');
    if (!(await consultStarted(appointment.id))) throw forbidden('The consult has not started yet', 'consultNotStarted');
    partyRole = principal.guestRole;
  } else {
    if (principal.role === 'ADMIN') throw forbidden('Administrators do not join consults', 'forbidden');
    const specialistRequest = principal.role === 'CLINICIAN' ? await assignedSpecialistRequest(principal.id, appointment.id) : null;
    if (principal.clinicId !== appointment.clinicId && !specialistRequest) {
      throw forbidden('This consult belongs to another clinic', 'forbidden');
    }
    partyRole = principal.role === 'NURSE' ? 'NURSE' : specialistRequest ? 'SPECIALIST' : 'GP';
  }
  if (CLOSED.has(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');
  const role: ConsultRole =
    principal.kind === 'patient'
      ? 'patient'
      : principal.kind === 'guest'
        ? 'guest'
        : principal.role === 'NURSE'
          ? 'nurse'
          : 'clinician';
  return { appointment, role, partyRole, permissions: permissionsOf(partyRole) };
}

/** The LiveKit identity of this person in consult rooms. */
export function consultIdentity(principal: Principal): string {
  return principal.kind === 'guest' ? guestIdentity(principal.id) : principal.id;
}

export async function joinConsult(
  gateway: LivekitGateway,
  principal: Principal,
  appointmentId: string,
  options: { withPatient?: boolean } = {},
) {
  const { appointment, role, partyRole, permissions } = await authorizeConsult(principal, appointmentId);
  const room = consultRoomName(appointment.id);
  const maxParticipants = env().CONSULT_MAX_PARTICIPANTS;
  const identity = consultIdentity(principal);
  await gateway.ensureRoom(room, { maxParticipants, emptyTimeoutSeconds: 300 });
  // Someone reconnecting replaces their own earlier connection, so they do not count against the limit.
  const present = await gateway.listParticipants(room);
  if (present.filter((p) => p.identity !== identity).length >= maxParticipants) {
    throw conflict(`This consult already has ${maxParticipants} participants`, 'consultFull');
  }
  // Only a nurse's device stands in for a patient sitting with them (community-clinic mode).
  const withPatient = partyRole === 'NURSE' && options.withPatient === true;
  const metadata: ParticipantMetadata = { role, partyRole, ...(withPatient ? { withPatient } : {}) };
  const token = await gateway.issueJoinToken({
    room,
    identity,
    name: principal.name,
    metadata: JSON.stringify(metadata),
    canPublish: true,
    canShareScreen: role === 'clinician' || role === 'nurse',
  });
  await db.$transaction(async (tx) => {
    if (role === 'clinician' && partyRole === 'GP' && appointment.status !== 'IN_PROGRESS') {
      await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'IN_PROGRESS' } });
    }
    await recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.join',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { partyRole, ...(withPatient ? { withPatient } : {}) },
    });
  });
  return { serverUrl: gateway.serverUrl, token, room, role, partyRole, permissions, identity, maxParticipants };
}

/** The clinician ends the consult: the visit is completed first, then the room closes for everyone. */
export async function endConsult(gateway: LivekitGateway, principal: Principal, appointmentId: string) {
  const { partyRole } = await authorizeConsult(principal, appointmentId);
  if (!may(partyRole, 'endForAll')) throw forbidden('Only the clinician holding the consult ends it for everyone', 'notAllowed');
  await completeTask(principal, appointmentId);
  await finishSpecialistTasks(appointmentId);
  await gateway.closeRoom(consultRoomName(appointmentId)).catch(() => {
    // The visit is already completed; an unreachable LiveKit empties the room on its own timeout.
  });
  return { ended: true };
}
