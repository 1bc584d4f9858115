// Writes the FHIR server refused for good (a 400/422 from the server: sending again changes nothing).
// They are never dropped: the patient and the care team of the consult see which readings were not
// stored and why, and the clinic's admins see the clinic's refused writes and retry (once the cause is
// fixed on the FHIR side) or dismiss each one, audited. Nobody is shown the FHIR server's own text.
import type { z } from 'zod';
import type { Principal } from '@/server/auth/session-types';
import { isPatient, requireAdmin, type Staff } from '@/server/auth/guards';
import { db } from '@/server/db';
import type { FhirWriteKind } from '@/server/db/generated/client';
import { forbidden, notFound } from '@/server/errors';
import { recordAudit } from '@/server/audit/audit-service';
import { authorizeConsult } from '@/server/consult/consult-access';
import type { VitalKind } from '@/server/shared/vital-signs';
import { vitalKindOf } from './chart-mapper';
import {
  dismissFailedWrite,
  findFailedByClinic,
  findRefusedById,
  findRefusedByPatient,
  requeueFailedWrite,
  type FhirRefusalReason,
  type FhirWritePayload,
  type RefusedWriteRow,
} from './fhir-outbox';
import type { listFailedWritesInput } from './schemas';

/** How far back the consult shows refused writes of its patient. */
const SHOWN_FOR_DAYS = 30;

/** One refused write as a person sees it: what, when, why (a reason to translate), never the payload. */
export type RefusedWrite = {
  id: string;
  kind: FhirWriteKind;
  /** For readings: which vitals it held (a blood pressure is one). */
  vitals: VitalKind[];
  reason: FhirRefusalReason;
  createdAt: string;
  failedAt: string | null;
  attempts: number;
  dismissed: boolean;
  /** Entered by the patient themselves (else by staff). */
  enteredByPatient: boolean;
};

function vitalsOf(row: RefusedWriteRow): VitalKind[] {
  const payload = row.payload as unknown as FhirWritePayload;
  if (payload.kind !== 'VITALS') return [];
  const kinds = payload.observations.map(vitalKindOf).filter((kind): kind is VitalKind => kind !== null && kind !== 'bodyHeight');
  return [...new Set(kinds)];
}

function asRefused(row: RefusedWriteRow): RefusedWrite {
  return {
    id: row.id,
    kind: row.kind,
    vitals: vitalsOf(row),
    reason: (row.failureReason ?? 'fhirInvalid') as FhirRefusalReason,
    createdAt: row.createdAt.toISOString(),
    failedAt: row.failedAt?.toISOString() ?? null,
    attempts: row.attempts,
    dismissed: row.status === 'DISMISSED',
    enteredByPatient: row.enteredBy.startsWith('patient:'),
  };
}

/**
 * The consult patient's refused writes of the last 30 days: for the patient their readings, for the care
 * team of the visit's clinic their readings and visit records. Guests, admins and other clinics are refused.
 */
export async function refusedForConsult(principal: Principal, appointmentId: string) {
  const participant = await authorizeConsult(principal, appointmentId, { purpose: 'clinical', open: false });
  const kinds: FhirWriteKind[] = isPatient(principal) ? ['VITALS'] : ['VITALS', 'VISIT_RECORD'];
  const since = new Date(Date.now() - SHOWN_FOR_DAYS * 24 * 3600_000);
  const rows = await findRefusedByPatient(participant.appointment.patient.id, kinds, since);
  return { timeZone: participant.appointment.clinic.timeZone, readings: rows.map(asRefused) };
}

/** The clinic's refused writes waiting for a decision, newest first. */
export async function listClinicFailedWrites(principal: Principal, input: z.infer<typeof listFailedWritesInput>) {
  const admin = requireAdmin(principal, 'Only clinic administrators see refused FHIR writes');
  const clinic = await db.clinic.findUnique({ where: { id: admin.clinicId }, select: { timeZone: true } });
  if (!clinic) throw notFound('Clinic not found');
  const rows = await findFailedByClinic(admin.clinicId, input.limit);
  const patients = await db.patient.findMany({
    where: { id: { in: [...new Set(rows.map((row) => row.patientId))] }, clinicId: admin.clinicId },
    select: { id: true, familyName: true, givenName: true },
  });
  const nameOf = new Map(patients.map((p) => [p.id, `${p.familyName}${p.givenName}`]));
  return {
    timeZone: clinic.timeZone,
    writes: rows.map((row) => ({ ...asRefused(row), patientName: nameOf.get(row.patientId) ?? '' })),
  };
}

/** The admin's own clinic's write, or the refusal (no such write: NOT_FOUND; another clinic's: FORBIDDEN). */
async function clinicWrite(principal: Principal, id: string, why: string): Promise<{ admin: Staff; row: RefusedWriteRow }> {
  const admin = requireAdmin(principal, why);
  const row = await findRefusedById(id);
  if (!row) throw notFound('No such FHIR write', 'notFound');
  if (row.clinicId !== admin.clinicId) throw forbidden('This write belongs to another clinic', 'forbidden');
  return { admin, row };
}

/** Back to the queue with attempts from zero (after the cause was fixed); the worker stores it or it is refused again. */
export async function retryFailedWrite(principal: Principal, id: string) {
  const { admin, row } = await clinicWrite(principal, id, 'Only clinic administrators retry refused FHIR writes');
  await db.$transaction(async (tx) => {
    await requeueFailedWrite(tx, id, new Date());
    await recordAudit(tx, {
      actor: `staff:${admin.id}`,
      action: 'clinical.fhir-write-retried',
      clinicId: row.clinicId,
      patientId: row.patientId,
      subject: `FhirWrite/${id}`,
      detail: { kind: row.kind, reason: row.failureReason, attempts: row.attempts },
    });
  });
  return { id, status: 'PENDING' as const };
}

/** Set aside for good: never delivered; the patient and the care team still see it was not stored. */
export async function dismissRefusedWrite(principal: Principal, id: string) {
  const { admin, row } = await clinicWrite(principal, id, 'Only clinic administrators dismiss refused FHIR writes');
  await db.$transaction(async (tx) => {
    await dismissFailedWrite(tx, id);
    await recordAudit(tx, {
      actor: `staff:${admin.id}`,
      action: 'clinical.fhir-write-dismissed',
      clinicId: row.clinicId,
      patientId: row.patientId,
      subject: `FhirWrite/${id}`,
      detail: { kind: row.kind, reason: row.failureReason, attempts: row.attempts },
    });
  });
  return { id, status: 'DISMISSED' as const };
}
