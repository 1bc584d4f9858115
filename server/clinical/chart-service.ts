// Assembles the EHR panel from FHIR: one search per resource type, all in parallel, mapped by the pure
// chart mapper. Every read is audited.
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { DomainError } from '@/server/errors';
import type { FhirGateway } from '@/server/fhir/gateway';
import { authorizeConsult } from '@/server/consult/consult-access';
import { buildChart, buildVitals, type EhrChart } from './chart-mapper';
import { auditRead, authorizeChartRead, type ChartPatient } from './chart-access';
import { VITALS, BLOOD_PRESSURE, type VitalKind } from '@/server/shared/vital-signs';

/** How far back the trend charts go. */
export const CHART_DAYS = 365;
const OBSERVATION_PAGE = 1000;
const OBSERVATION_PAGES = 5;

const sinceIso = (now: Date, days: number) => new Date(now.getTime() - days * 24 * 3600_000).toISOString();

export async function searchVitalSigns(gateway: FhirGateway, patient: ChartPatient, now: Date, codes?: readonly string[]) {
  const params: Record<string, string | number> = {
    patient: patient.reference,
    category: 'vital-signs',
    date: `ge${sinceIso(now, CHART_DAYS)}`,
    _count: OBSERVATION_PAGE,
  };
  if (codes) params.code = codes.map((code) => `http://loinc.org|${code}`).join(',');
  const { resources } = await gateway.search<fhir4.Observation>('Observation', params, { maxPages: OBSERVATION_PAGES });
  return resources;
}

export async function searchActiveMedications(gateway: FhirGateway, patient: ChartPatient) {
  const { resources, included } = await gateway.search<fhir4.MedicationRequest>('MedicationRequest', {
    patient: patient.reference,
    status: 'active,on-hold',
    _include: 'MedicationRequest:medication',
    _count: 200,
  });
  return { medicationRequests: resources, medications: included.filter((r): r is fhir4.Medication => r.resourceType === 'Medication') };
}

export async function fetchChart(gateway: FhirGateway, patient: ChartPatient, now: Date): Promise<EhrChart> {
  const subject = { patient: patient.reference };
  const [fhirPatient, observations, conditions, meds, allergies, encounters, documents] = await Promise.all([
    gateway.read<fhir4.Patient>('Patient', patient.fhirPatientId),
    searchVitalSigns(gateway, patient, now),
    gateway.search<fhir4.Condition>('Condition', { ...subject, _count: 200 }).then((r) => r.resources),
    searchActiveMedications(gateway, patient),
    gateway.search<fhir4.AllergyIntolerance>('AllergyIntolerance', { ...subject, _count: 200 }).then((r) => r.resources),
    gateway.search<fhir4.Encounter>('Encounter', { ...subject, status: 'finished', _sort: '-date', _count: 5 }, { maxPages: 1 }).then((r) => r.resources),
    gateway.search<fhir4.DocumentReference>('DocumentReference', { ...subject, _sort: '-date', _count: 10 }, { maxPages: 1 }).then((r) => r.resources),
  ]);
  return buildChart({ patient: fhirPatient, observations, conditions, ...meds, allergies, encounters, documents }, now);
}

/** The chart of the patient of this consult, for its clinician or nurse. */
export async function chartForConsult(
  gateway: FhirGateway,
  principal: Principal,
  appointmentId: string,
  now = new Date(),
): Promise<{ chart: (EhrChart & { timeZone: string }) | null }> {
  const participant = await authorizeConsult(principal, appointmentId, { purpose: 'clinical', open: false, careTeam: true });
  let patient: ChartPatient;
  try {
    patient = await authorizeChartRead(principal, participant.appointment.patient.id);
  } catch (error) {
    // Not an error to the person looking: the panel says the patient has no record yet.
    if (error instanceof DomainError && error.reason === 'noChart') return { chart: null };
    throw error;
  }
  const [chart, clinic] = await Promise.all([
    fetchChart(gateway, patient, now),
    db.clinic.findUniqueOrThrow({ where: { id: participant.appointment.clinicId }, select: { timeZone: true } }),
  ]);
  await auditRead(principal, patient, `ehr-panel Appointment/${appointmentId}`);
  return { chart: { ...chart, timeZone: clinic.timeZone } };
}

/** Just one vital's readings (for a shared chart), with its latest value. */
export async function vitalTrend(gateway: FhirGateway, patient: ChartPatient, kind: Exclude<VitalKind, 'bodyTemperature'>, now: Date) {
  const codes = kind === 'bloodPressure' ? [BLOOD_PRESSURE.code] : kind === 'bodyWeight' ? [VITALS.bodyWeight.code, '8302-2'] : VITALS[kind].readCodes;
  const { series, latestVitals } = buildVitals(await searchVitalSigns(gateway, patient, now, codes));
  return { series: series.find((s) => s.kind === kind)!, latest: latestVitals.find((v) => v.kind === kind) ?? null };
}
