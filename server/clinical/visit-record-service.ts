// Queues the wrap-up's Encounter and note for FHIR inside the wrap-up's own transaction: the note is
// committed together with its FHIR write, and reaches FHIR now or once the server is back.
import type { DbTx } from '@/server/db';
import { enqueueFhirWrite } from './fhir-outbox';
import { toFhirVisitRecord } from './visit-record-mapper';

type WrapUpAppointment = {
  id: string;
  clinicId: string;
  patientId: string;
  clinicianId: string;
  startsAt: Date;
  durationMinutes: number;
  reason: string | null;
};

/** Returns the queued write's id, or null for a patient with no chart on the FHIR server. */
export async function queueVisitRecord(
  tx: DbTx,
  input: { appointment: WrapUpAppointment; authorActor: string; note: { freeText: string; assessment: string; plan: string } },
  now = new Date(),
): Promise<string | null> {
  const { appointment } = input;
  const patient = await tx.patient.findUniqueOrThrow({ where: { id: appointment.patientId }, select: { fhirPatientId: true } });
  if (!patient.fhirPatientId) return null;
  const subject = `Appointment/${appointment.id}`;
  const [task, joins] = await Promise.all([
    tx.task.findFirst({
      where: { appointmentId: appointment.id, assignedAt: { not: null } },
      orderBy: { assignedAt: 'desc' },
      select: { assignedAt: true, completedAt: true },
    }),
    tx.auditEvent.findMany({
      where: { subject, action: 'consult.join', actor: { startsWith: 'staff:' } },
      orderBy: { occurredAt: 'asc' },
      select: { actor: true, occurredAt: true },
    }),
  ]);
  const staffIds = [...new Set([appointment.clinicianId, ...joins.map((j) => j.actor.slice('staff:'.length))])];
  const staff = await tx.user.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true, role: true } });
  const careTeam = staffIds.map((id) => staff.find((s) => s.id === id)).filter((s) => s !== undefined);
  const start = task?.assignedAt ?? joins[0]?.occurredAt ?? appointment.startsAt;
  const end = task?.completedAt ?? now;
  const record = toFhirVisitRecord({
    appointmentId: appointment.id,
    patientReference: `Patient/${patient.fhirPatientId}`,
    period: { start, end: end < start ? start : end },
    reason: appointment.reason,
    careTeam,
    note: input.note,
    writtenAt: now,
  });
  const queued = await enqueueFhirWrite(tx, {
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    appointmentId: appointment.id,
    enteredBy: input.authorActor,
    payload: { kind: 'VISIT_RECORD', ...record },
  });
  return queued.id;
}
