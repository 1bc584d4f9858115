// The clinical module's one door to the chart: who may read a patient's chart (server/fhir/patient-access
// decides) and the audit entry every read leaves behind.
import { db } from '@/server/db';
import { conflict } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { auditChartRead, authorizePatientChart } from '@/server/fhir/patient-access';

export type ChartPatient = { id: string; clinicId: string; fhirPatientId: string; reference: string; grantedBy?: string };

function withChart(patient: { id: string; clinicId: string; fhirPatientId: string | null }, grantedBy?: string): ChartPatient {
  if (!patient.fhirPatientId) throw conflict('This patient has no chart on the FHIR server yet', 'noChart');
  return { id: patient.id, clinicId: patient.clinicId, fhirPatientId: patient.fhirPatientId, reference: `Patient/${patient.fhirPatientId}`, grantedBy };
}

/** The patient's FHIR id (for writes already authorized); no chart on the FHIR server: nothing to show or store. */
export async function chartPatient(patientId: string): Promise<ChartPatient> {
  const patient = await db.patient.findUniqueOrThrow({ where: { id: patientId }, select: { id: true, clinicId: true, fhirPatientId: true } });
  return withChart(patient);
}

/** Reading a chart: the patient-access rules apply (own chart, own clinic, or an extra rule such as a shared panel). */
export async function authorizeChartRead(principal: Principal, patientId: string): Promise<ChartPatient> {
  const access = await authorizePatientChart(principal, patientId);
  return withChart({ id: access.patientId, clinicId: access.clinicId, fhirPatientId: access.fhirPatientId }, access.grantedBy);
}

export async function auditRead(principal: Principal, patient: ChartPatient, what: string) {
  await auditChartRead(db, {
    principal,
    patientId: patient.id,
    clinicId: patient.clinicId,
    fhirPatientId: patient.fhirPatientId,
    grantedBy: patient.grantedBy,
    what,
  });
}
