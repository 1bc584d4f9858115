// From a phone consult to video: the clinician sends a link to the caller's phone; the patient opens it there and joins
// the same room with their camera (same task, same visit). Once they are in by video the phone leg is hung up, so the
// phone does not hear itself twice.
import { db } from '@/server/db';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { authorizeConsult } from '@/server/consult/consult-access';
import { conflict, forbidden } from '@/server/errors';
import { queueMessage } from '@/server/notify/outbox';
import { isCareTeam } from '@/server/shared/consult-policy';

/** A clinician sends the caller a link to continue the consult by video on the phone they are calling from. */
export async function sendVideoLink(principal: Principal, appointmentId: string, now = new Date()) {
  const { appointment, partyRole, actor } = await authorizeConsult(principal, appointmentId);
  if (!isCareTeam(partyRole)) throw forbidden('Only the care team can send a video link', 'forbidden');
  if (!appointment.callRoom) throw conflict('This visit is not a phone call', 'notPhoneCall');
  const session = await db.callSession.findFirst({ where: { room: appointment.callRoom, channel: 'PHONE' }, orderBy: { startedAt: 'desc' } });
  const to = session?.callerNumber ?? null;
  const { queued } = await db.$transaction(async (tx) => {
    const result = await queueMessage(tx, {
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      appointmentId: appointment.id,
      kind: 'VIDEO_LINK',
      // Each press sends one (a patient who lost the first text gets another).
      dedupeKey: `video-link:${appointment.id}:${now.getTime()}`,
      ...(to ? { to } : {}),
    });
    await recordAudit(tx, {
      actor,
      action: 'call.video-link-sent',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { toCaller: Boolean(to) },
    });
    return result;
  });
  return { queued };
}
