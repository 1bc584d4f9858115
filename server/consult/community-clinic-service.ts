// Community-clinic mode: a nurse holds the consult for a patient sitting with them. Their device stands
// for the patient in the room ("Nurse · with patient"); the patient may still join on their own phone.
import { db } from '@/server/db';
import { forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { assignVisitDirectly } from '@/server/routing/tasks';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';
import { authorizeConsult } from './consult-access';
import { consultRoomName } from './consult-service';
import type { ParticipantMetadata } from '@/server/shared/consult-policy';

export async function startWithPatient(gateway: LivekitGateway, principal: Principal, appointmentId: string, now = new Date()) {
  const { appointment, partyRole } = await authorizeConsult(principal, appointmentId);
  if (partyRole !== 'NURSE' || principal.kind !== 'staff') throw forbidden('Only a nurse sits in for the patient', 'notAllowed');
  const queue = await db.queue.findUnique({ where: { clinicId_slug: { clinicId: appointment.clinicId, slug: FOLLOW_UP_QUEUE_SLUG } } });
  if (!queue) throw notFound('This clinic has no follow-up queue yet', 'noQueue');
  await db.$transaction(async (tx) => {
    await assignVisitDirectly(
      tx,
      { clinicId: appointment.clinicId, queueId: queue.id, appointmentId: appointment.id, patientId: appointment.patient.id },
      principal,
      now,
    );
    await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'IN_PROGRESS' } });
    await recordAudit(tx, {
      actor: `staff:${principal.id}`,
      action: 'consult.started-with-patient',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
    });
  });
  const metadata: ParticipantMetadata = { role: 'nurse', partyRole: 'NURSE', withPatient: true };
  const relabelled = await gateway.updateMetadata(consultRoomName(appointment), principal.id, JSON.stringify(metadata));
  return { started: true, relabelled };
}
