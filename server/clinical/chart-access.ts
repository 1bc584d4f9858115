// The clinical module's one door to the chart: who may read a patient's chart (server/fhir/patient-access
// decides) and the audit entry every read leaves behind.
import { db } from '@/server/db';
import { conflict } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { auditChartRead, authorizePatientChart } from '@/server/fhir/patient-access';

export type ChartPatient = { id: string; clinicId: string; fhirPatientId: string; reference: string };

/** The patient's FHIR id; a patient without a chart on the FHIR server has nothing to show or store. */
export async function chartPatient(patientId: string): Promise<ChartPatient> {
  const patient = await db.patient.findUnique({ where: { id: patientId }, select: { id: true, clinicId: true, fhirPatientId: true } });
  if (!patient?.fhirPatientId) throw conflict('This patient has no chart on the FHIR server yet', 'noChart');
  return { id: patient.id, clinicId: patient.clinicId, fhirPatientId: patient.fhirPatientId, reference: `Patient/${patient.fhirPatientId}` };
}

/** Staff reading a whole chart: the patient-access rules apply (their clinic, or a consult they are in). */
export async function authorizeChartRead(principal: Principal, patientId: string): Promise<ChartPatient> {
  await authorizePatientChart(principal, patientId);
  return chartPatient(patientId);
}

export async function auditRead(principal: Principal, patient: ChartPatient, what: string, detail?: Record<string, string>) {
  await auditChartRead({ principal, patientId: patient.id, clinicId: patient.clinicId, what, detail });
}
