// Acting on other people in the room: remove and mute, checked against the consult policy with the
// target's role read from LiveKit (server-signed token metadata, which participants cannot change).
import { db } from '@/server/db';
import { DomainError, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { appointmentTopic, publishRoutingChange } from '@/server/routing/routing-events';
import { authorizeConsult } from './consult-access';
import { consultIdentity, consultRoomName, guestIdentity, roomOfVisit } from './consult-service';
import { may, mayMute, mayRemove, partyRoleOf } from '@/server/shared/consult-policy';
import { finishSpecialistTasks } from './specialist-tasks';

async function targetOf(gateway: LivekitGateway, appointmentId: string, identity: string) {
  const present = await gateway.listParticipants(await roomOfVisit(appointmentId));
  const target = present.find((p) => p.identity === identity);
  if (!target) throw notFound('This person is no longer in the consult', 'notPresent');
  const role = partyRoleOf(target.identity, target.metadata);
  if (!role) throw forbidden('This participant cannot be managed from here', 'notAllowed');
  return { identity: target.identity, role };
}

export async function removeParticipant(gateway: LivekitGateway, principal: Principal, input: { appointmentId: string; identity: string }, now = new Date()) {
  const { appointment, partyRole } = await authorizeConsult(principal, input.appointmentId);
  if (!may(partyRole, 'remove')) throw forbidden('You may not remove others from this consult', 'notAllowed');
  if (input.identity === consultIdentity(principal)) throw forbidden('Use Leave to leave the consult yourself', 'notAllowed');
  const target = await targetOf(gateway, appointment.id, input.identity);
  if (!mayRemove(partyRole, target.role)) throw forbidden(`A ${partyRole} may not remove a ${target.role}`, 'notAllowed');
  // A removed guest's invite is closed first, so the link cannot bring them back even if LiveKit is slow.
  if (target.identity.startsWith('guest_')) {
    await db.$transaction(async (tx) => {
      await tx.consultInvite.updateMany({
        where: { id: target.identity.slice('guest_'.length), appointmentId: appointment.id, revokedAt: null },
        data: { revokedAt: now },
      });
      // Wakes the consult's live views, so the guest's end now (they ask for the guest's access again).
      await publishRoutingChange(tx, appointment.clinicId, [appointmentTopic(appointment.id)]);
    });
  }
  if (target.role === 'SPECIALIST') await finishSpecialistTasks(appointment.id, { clinicianId: target.identity }, now);
  await gateway.removeParticipant(consultRoomName(appointment), target.identity);
  await db.$transaction((tx) =>
    recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.participant-removed',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { identity: target.identity, role: target.role },
    }),
  );
  return { removed: true };
}

export async function muteParticipant(gateway: LivekitGateway, principal: Principal, input: { appointmentId: string; identity: string }) {
  const { appointment, partyRole } = await authorizeConsult(principal, input.appointmentId);
  if (!may(partyRole, 'muteOthers')) throw forbidden('You may not mute others in this consult', 'notAllowed');
  const target = await targetOf(gateway, appointment.id, input.identity);
  if (!mayMute(partyRole, target.role)) throw forbidden(`A ${partyRole} may not mute a ${target.role}`, 'notAllowed');
  const muted = await gateway.muteMicrophone(consultRoomName(appointment), target.identity);
  return { muted };
}

/** Who an identity in a consult room is, as the portal knows them now: a guest's invite or a staff member. */
async function principalOfIdentity(identity: string): Promise<Principal | 'unknown' | null> {
  if (identity.startsWith(guestIdentity(''))) {
    const invite = await db.consultInvite.findUnique({ where: { id: identity.slice(guestIdentity('').length) } });
    if (!invite) return 'unknown';
    return { kind: 'guest', id: invite.id, name: invite.displayName, clinicId: invite.clinicId, appointmentId: invite.appointmentId, guestRole: invite.role };
  }
  const user = await db.user.findUnique({ where: { id: identity }, select: { id: true, name: true, role: true, clinicId: true, active: true } });
  if (!user) return null;
  if (!user.active) return 'unknown';
  return { kind: 'staff', id: user.id, name: user.name, role: user.role, clinicId: user.clinicId };
}

/**
 * The room's own door. LiveKit lets in anyone holding a valid token, and a removed guest (or a specialist
 * sent out) may have kept theirs, so when LiveKit reports a join the portal asks the consult again whether this
 * guest or staff member may be there, and puts out at once whoever it refuses now. Patients and phones are
 * not revoked this way (the patient leaves when the consult ends, a phone cannot rejoin by itself).
 * Returns the refusal's reason when it put someone out.
 */
export async function refuseRevokedParticipant(
  gateway: Pick<LivekitGateway, 'removeParticipant'>,
  input: { appointmentId: string; identity: string },
): Promise<string | null> {
  const principal = await principalOfIdentity(input.identity);
  if (principal === null) return null;
  let reason: string | null = principal === 'unknown' ? 'unknownIdentity' : null;
  if (principal !== 'unknown') {
    try {
      await authorizeConsult(principal, input.appointmentId);
    } catch (error) {
      if (!(error instanceof DomainError) || !['FORBIDDEN', 'CONFLICT', 'NOT_FOUND'].includes(error.code)) throw error;
      reason = error.reason ?? error.code;
    }
  }
  if (!reason) return null;
  await gateway.removeParticipant(await roomOfVisit(input.appointmentId), input.identity);
  const appointment = await db.appointment.findUnique({ where: { id: input.appointmentId }, select: { clinicId: true, patientId: true } });
  await db.$transaction((tx) =>
    recordAudit(tx, {
      actor: 'system',
      action: 'consult.participant-refused',
      clinicId: appointment?.clinicId ?? null,
      patientId: appointment?.patientId ?? null,
      subject: `Appointment/${input.appointmentId}`,
      outcome: 'failure',
      detail: { identity: input.identity, reason },
    }),
  );
  return reason;
}
