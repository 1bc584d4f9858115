import { db } from '@/server/db';
import { conflict, forbidden } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { isGuest } from '@/server/auth/guards';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { completeTask } from '@/server/routing/task-completion';
import { env } from '@/server/env';
import { finishSpecialistTasks } from './specialist-tasks';
import { authorizeConsult } from './consult-access';
import { isCareTeam, may, type ParticipantMetadata } from '@/server/shared/consult-policy';

/** The default; CONSULT_MAX_PARTICIPANTS (env) sets it per deployment. */
export const MAX_CONSULT_PARTICIPANTS = 6;

/** The visit's LiveKit room: a phone visit stays in the room its call arrived in, any other visit has consult-<id>. */
export function consultRoomName(visit: { id: string; callRoom: string | null }): string {
  return visit.callRoom ?? `consult-${visit.id}`;
}

/** The room of a visit known only by its id. */
export async function roomOfVisit(appointmentId: string): Promise<string> {
  const visit = await db.appointment.findUnique({ where: { id: appointmentId }, select: { callRoom: true } });
  return consultRoomName({ id: appointmentId, callRoom: visit?.callRoom ?? null });
}

/** The visit (appointment id) a room belongs to, or null for any other room. */
export async function appointmentIdOfRoom(room: string | undefined | null): Promise<string | null> {
  if (!room) return null;
  if (room.startsWith('consult-')) return room.slice('consult-'.length) || null;
  const visit = await db.appointment.findUnique({ where: { callRoom: room }, select: { id: true } });
  return visit?.id ?? null;
}

/** A guest's LiveKit identity: their invite, never a staff or patient id. */
export function guestIdentity(inviteId: string): string {
  return `guest_${inviteId}`;
}

/** The LiveKit identity of this person in consult rooms. */
export function consultIdentity(principal: Principal): string {
  return isGuest(principal) ? guestIdentity(principal.id) : principal.id;
}

/**
 * A token for the consult's room. `prepare`: issued while an offer rings on the clinician's desk, so that accepting
 * connects at once (audited as such; the join itself shows in the room's participant records).
 */
export async function joinConsult(
  gateway: LivekitGateway,
  principal: Principal,
  appointmentId: string,
  options: { withPatient?: boolean; prepare?: boolean } = {},
) {
  const { appointment, role, partyRole, permissions, actor } = await authorizeConsult(principal, appointmentId);
  const room = consultRoomName(appointment);
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
    canShareScreen: isCareTeam(partyRole),
  });
  // Joining changes no visit status: a visit is in progress once its routing task is assigned (an accept,
  // or a nurse starting with the patient), so a clinician opening the room early leaves it open to cancel,
  // move or mark as a no-show.
  await db.$transaction(async (tx) => {
    await recordAudit(tx, {
      actor,
      action: options.prepare ? 'consult.join-prepared' : 'consult.join',
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
  const { partyRole, appointment } = await authorizeConsult(principal, appointmentId);
  if (!may(partyRole, 'endForAll')) throw forbidden('Only the clinician holding the consult ends it for everyone', 'notAllowed');
  await completeTask(principal, appointmentId);
  await finishSpecialistTasks(appointmentId);
  await gateway.closeRoom(consultRoomName(appointment)).catch(() => {
    // The visit is already completed; an unreachable LiveKit empties the room on its own timeout.
  });
  return { ended: true };
}
