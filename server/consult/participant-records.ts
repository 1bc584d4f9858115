// Who was in a consult and when, from LiveKit's verified participant_joined / participant_left webhooks.
// Each stay is one row keyed by LiveKit's participant session id, so a retried or reordered delivery
// changes nothing twice, and a reconnect (a new session) is a new stay. Each change wakes the room's
// live views of the clinic (a specialist request turns to "joined").
import type { WebhookEvent } from 'livekit-server-sdk';
import { db } from '@/server/db';
import { appointmentIdOfRoom } from './consult-service';
import { partyRoleOf } from '@/server/shared/consult-policy';
import { publishRoutingChange } from '@/server/routing/routing-events';

export async function recordParticipantEvent(event: WebhookEvent): Promise<'joined' | 'left' | null> {
  if (event.event !== 'participant_joined' && event.event !== 'participant_left') return null;
  const appointmentId = await appointmentIdOfRoom(event.room?.name);
  const participant = event.participant;
  if (!appointmentId || !participant?.sid) return null;
  const appointment = await db.appointment.findUnique({ where: { id: appointmentId }, select: { clinicId: true } });
  if (!appointment) return null;
  const eventAt = new Date(Number(event.createdAt) * 1000);
  const joinedAt = participant.joinedAt ? new Date(Number(participant.joinedAt) * 1000) : eventAt;
  const role = partyRoleOf(participant.identity, participant.metadata) ?? 'UNKNOWN';
  const base = { appointmentId, participantSid: participant.sid, identity: participant.identity, name: participant.name || null, role, joinedAt };
  if (event.event === 'participant_joined') {
    await db.consultParticipant.upsert({ where: { participantSid: participant.sid }, create: base, update: {} });
    await publishRoutingChange(db, appointment.clinicId);
    return 'joined';
  }
  // A leave may arrive before its join (deliveries are independent requests): the row is made whole either way.
  await db.consultParticipant.upsert({
    where: { participantSid: participant.sid },
    create: { ...base, leftAt: eventAt },
    update: { leftAt: eventAt },
  });
  await publishRoutingChange(db, appointment.clinicId);
  return 'left';
}

/** The stays of one consult, first joined first. */
export function participantsOfConsult(appointmentId: string) {
  return db.consultParticipant.findMany({
    where: { appointmentId },
    orderBy: { joinedAt: 'asc' },
    select: { identity: true, name: true, role: true, joinedAt: true, leftAt: true },
  });
}
