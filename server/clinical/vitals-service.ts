// Home vitals: the patient (or the nurse with them) enters a reading; it is queued in PostgreSQL together
// with its audit entry, then stored in FHIR at once, or by the worker once the FHIR server is back.
import type { Principal } from '@/server/auth/session-types';
import { isPatient } from '@/server/auth/guards';
import { db } from '@/server/db';
import { DomainError } from '@/server/errors';
import { recordAudit } from '@/server/audit/audit-service';
import type { FhirGateway } from '@/server/fhir/gateway';
import { authorizeConsult } from '@/server/consult/consult-access';
import { chartPatient } from './chart-access';
import { deliverNow, enqueueFhirWrite, refusalOf, type FhirRefusalReason } from './fhir-outbox';
import { toFhirObservations } from './observation-mapper';
import type { SubmitVitalsInput } from './schemas';

const MAX_AGE_MS = 7 * 24 * 3600_000;
const CLOCK_SKEW_MS = 5 * 60_000;

/** `queued`: kept until the FHIR server is back; `notStored`: the FHIR server refused it, and says why. */
export type SubmitVitalsResult =
  { status: 'stored' | 'queued'; observations: number } | { status: 'notStored'; reason: FhirRefusalReason; observations: number };

function takenAtOf(input: SubmitVitalsInput, now: Date): Date {
  if (!input.takenAt) return now;
  const at = new Date(input.takenAt);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new DomainError('BAD_REQUEST', 'The reading cannot be taken in the future', 'vitalsInFuture');
  if (at.getTime() < now.getTime() - MAX_AGE_MS) throw new DomainError('BAD_REQUEST', 'The reading is more than a week old', 'vitalsTooOld');
  return at;
}

export async function submitVitals(gateway: () => FhirGateway, principal: Principal, input: SubmitVitalsInput, now = new Date()): Promise<SubmitVitalsResult> {
  const participant = await authorizeConsult(principal, input.appointmentId, { purpose: 'clinical' });
  const patient = await chartPatient(participant.appointment.patient.id);
  const takenAt = takenAtOf(input, now);
  const performer: fhir4.Reference = isPatient(principal)
    ? { reference: patient.reference }
    : { display: principal.name, identifier: { system: 'urn:revisit:staff', value: principal.id } };
  const observations = toFhirObservations(input.reading, {
    subject: { reference: patient.reference },
    performer,
    effectiveDateTime: takenAt.toISOString(),
    // Scoped to the patient: a reading id cannot collide with another patient's.
    readingId: `${patient.id}.${input.clientReadingId}`,
  });
  const write = await db.$transaction(async (tx) => {
    const queued = await enqueueFhirWrite(tx, {
      clinicId: participant.appointment.clinicId,
      patientId: patient.id,
      appointmentId: participant.appointment.id,
      enteredBy: participant.actor,
      payload: { kind: 'VITALS', observations },
    });
    await recordAudit(tx, {
      actor: participant.actor,
      action: 'clinical.vitals-entered',
      clinicId: participant.appointment.clinicId,
      patientId: patient.id,
      subject: `Appointment/${participant.appointment.id}`,
      detail: { fhirWriteId: queued.id, vitals: Object.keys(input.reading) },
    });
    return queued;
  });
  const outcome = await tryNow(gateway, write.id);
  if (outcome === 'failed') {
    const reason = await refusalOf(write.id);
    if (reason) return { status: 'notStored', reason, observations: observations.length };
  }
  return { status: outcome === 'stored' ? 'stored' : 'queued', observations: observations.length };
}

/** One immediate attempt; "retrying" (or no answer) leaves the write to the worker, "failed" means refused. */
export async function tryNow(gateway: () => FhirGateway, writeId: string) {
  let client: FhirGateway;
  try {
    client = gateway();
  } catch {
    return null;
  }
  return deliverNow(client, writeId).catch(() => null);
}
