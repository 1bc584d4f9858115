// Community-clinic mode: a nurse holds the consult for a patient sitting with them. Their device stands
// for the patient in the room ("Nurse · with patient"); the patient may still join on their own phone.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { lockClinicRouting } from '@/server/routing/dispatcher';
import { publishRoutingChange } from '@/server/routing/routing-events';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';
import { authorizeConsult, consultRoomName } from './consult-service';
import type { ParticipantMetadata } from './consult-policy';

export async function startWithPatient(gateway: LivekitGateway, principal: Principal, appointmentId: string, now = new Date()) {
  const { appointment, partyRole } = await authorizeConsult(principal, appointmentId);
  if (partyRole !== 'NURSE' || principal.kind !== 'staff') throw forbidden('Only a nurse sits in for the patient', 'notAllowed');
  const queue = await db.queue.findUnique({ where: { clinicId_slug: { clinicId: appointment.clinicId, slug: FOLLOW_UP_QUEUE_SLUG } } });
  if (!queue) throw notFound('This clinic has no follow-up queue yet', 'noQueue');
  await db.$transaction(async (tx) => {
    await lockClinicRouting(tx, appointment.clinicId);
    const live = await tx.task.findFirst({ where: { appointmentId: appointment.id, state: { in: ['WAITING', 'OFFERED', 'ASSIGNED'] } } });
    if (live?.state === 'ASSIGNED' && live.assignedClinicianId !== principal.id) {
      throw conflict('Another clinician is already holding this consult', 'alreadyInProgress');
    }
    if (!live) {
      // The patient is at the clinic, not in the online queue: the nurse takes the visit directly.
      await tx.task.create({
        data: {
          clinicId: appointment.clinicId,
          queueId: queue.id,
          channel: 'WEB',
          patientId: appointment.patient.id,
          appointmentId: appointment.id,
          state: 'ASSIGNED',
          attributes: { inPerson: true },
          enqueuedAt: now,
          createdAt: now,
          lastSeenAt: now,
          assignedAt: now,
          assignedClinicianId: principal.id,
        },
      });
    } else if (live.state !== 'ASSIGNED') {
      // The patient was also waiting online: the nurse takes that task, so the patient's phone joins the room.
      await tx.offer.updateMany({ where: { taskId: live.id, state: 'PENDING' }, data: { state: 'RESCINDED', respondedAt: now } });
      await tx.task.update({ where: { id: live.id }, data: { state: 'ASSIGNED', assignedAt: now, assignedClinicianId: principal.id } });
    }
    await tx.clinicianPresence.upsert({
      where: { userId: principal.id },
      create: { userId: principal.id, clinicId: principal.clinicId, state: 'BUSY' },
      update: { state: 'BUSY', wrapUpUntil: null },
    });
    await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'IN_PROGRESS' } });
    await recordAudit(tx, {
      actor: `staff:${principal.id}`,
      action: 'consult.started-with-patient',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
    });
    await publishRoutingChange(tx, appointment.clinicId);
  });
  const metadata: ParticipantMetadata = { role: 'nurse', partyRole: 'NURSE', withPatient: true };
  const relabelled = await gateway.updateMetadata(consultRoomName(appointment.id), principal.id, JSON.stringify(metadata));
  return { started: true, relabelled };
}
