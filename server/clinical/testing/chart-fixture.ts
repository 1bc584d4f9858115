// A follow-up patient with hypertension and type 2 diabetes and a year of home readings, for the
// integration tests and the EHR benchmark. Deterministic for a given seed; written in one transaction.
import { randomUUID } from 'node:crypto';
import type { FhirGateway } from '@/server/fhir/gateway';
import { db } from '@/server/db';
import { BLOOD_PRESSURE, LOINC, LOINC_SYSTEM, OBSERVATION_CATEGORY_SYSTEM, UCUM_SYSTEM } from '@/server/shared/vital-signs';

const DAY_MS = 24 * 3600_000;

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const category = [{ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'vital-signs' }] }];
const loinc = (code: string, display: string) => ({ coding: [{ system: LOINC_SYSTEM, code, display }], text: display });
const qty = (value: number, code: string, unit = code) => ({ value, unit, system: UCUM_SYSTEM, code });

export type ChartFixture = { fhirPatientId: string; resources: number };

export async function createChartFixture(
  gateway: FhirGateway,
  options: { days?: number; seed?: number; now?: Date; name?: { family: string; given: string } } = {},
): Promise<ChartFixture> {
  const days = options.days ?? 365;
  const next = random(options.seed ?? 7);
  const now = options.now ?? new Date();
  const patientUrl = `urn:uuid:${randomUUID()}`;
  const medicationUrl = `urn:uuid:${randomUUID()}`;
  const subject = { reference: patientUrl };
  const resources: fhir4.FhirResource[] = [];
  const observation = (at: Date, fields: Partial<fhir4.Observation>): fhir4.Observation => ({
    resourceType: 'Observation',
    status: 'final',
    category,
    code: fields.code!,
    subject,
    effectiveDateTime: at.toISOString(),
    ...fields,
  });
  resources.push(observation(new Date(now.getTime() - days * DAY_MS), { code: loinc(LOINC.bodyHeight, 'Body height'), valueQuantity: qty(168, 'cm') }));
  for (let day = days; day >= 1; day--) {
    const morning = new Date(now.getTime() - day * DAY_MS);
    const trend = (days - day) / days; // blood pressure comes down over the year on treatment
    const systolic = Math.round(158 - 22 * trend + (next() - 0.5) * 14);
    const diastolic = Math.round(96 - 12 * trend + (next() - 0.5) * 8);
    resources.push(
      observation(morning, {
        code: loinc(BLOOD_PRESSURE.code, 'Blood pressure panel'),
        component: [
          { code: loinc(LOINC.systolic, 'Systolic blood pressure'), valueQuantity: qty(systolic, 'mm[Hg]', 'mmHg') },
          { code: loinc(LOINC.diastolic, 'Diastolic blood pressure'), valueQuantity: qty(diastolic, 'mm[Hg]', 'mmHg') },
        ],
      }),
      observation(morning, { code: loinc(LOINC.heartRate, 'Heart rate'), valueQuantity: qty(Math.round(70 + (next() - 0.5) * 16), '/min') }),
    );
    if (day % 3 === 0) {
      resources.push(
        observation(morning, {
          code: loinc(LOINC.glucoseMolarCapillary, 'Glucose'),
          valueQuantity: qty(Math.round((6.5 + (next() - 0.3) * 3) * 10) / 10, 'mmol/L'),
        }),
      );
    }
    if (day % 7 === 0) {
      resources.push(
        observation(morning, {
          code: loinc(LOINC.bodyWeight, 'Body weight'),
          valueQuantity: qty(Math.round((74 - 3 * trend + (next() - 0.5)) * 10) / 10, 'kg'),
        }),
        observation(morning, { code: loinc(LOINC.oxygenSaturation, 'Oxygen saturation'), valueQuantity: qty(Math.round(96 + next() * 3), '%') }),
      );
    }
  }
  resources.push(
    {
      resourceType: 'Condition',
      subject,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '59621000', display: 'Essential hypertension' }],
        text: '原发性高血压 Essential hypertension',
      },
    },
    {
      resourceType: 'Condition',
      subject,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Type 2 diabetes mellitus' }],
        text: '2型糖尿病 Type 2 diabetes mellitus',
      },
    },
    { resourceType: 'Medication', code: { text: '苯磺酸氨氯地平片 Amlodipine 5 mg tablet' } },
    {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationReference: { reference: medicationUrl },
      dosageInstruction: [{ text: '5 mg 每日一次 once daily' }],
    },
    {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { text: '二甲双胍 Metformin 500 mg' },
      dosageInstruction: [{ text: '500 mg 每日两次 twice daily' }],
    },
    {
      resourceType: 'AllergyIntolerance',
      patient: subject,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      code: { text: '青霉素 Penicillin' },
      criticality: 'high',
      reaction: [{ manifestation: [{ text: '皮疹 Rash' }] }],
    },
  );
  const entries: fhir4.BundleEntry<fhir4.FhirResource>[] = [
    {
      fullUrl: patientUrl,
      resource: {
        resourceType: 'Patient',
        name: [{ family: options.name?.family ?? '李', given: [options.name?.given ?? '建国'] }],
        gender: 'male',
        birthDate: '1954-03-14',
      },
      request: { method: 'POST', url: 'Patient' },
    },
    ...resources.map((resource) => ({
      ...(resource.resourceType === 'Medication' ? { fullUrl: medicationUrl } : {}),
      resource,
      request: { method: 'POST' as const, url: resource.resourceType },
    })),
  ];
  const response = await gateway.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries });
  const location = response.entry?.[0]?.response?.location ?? '';
  const fhirPatientId = location.split('/')[1] ?? (response.entry?.[0]?.resource?.id as string);
  return { fhirPatientId, resources: entries.length };
}

/** Links a portal patient to the FHIR chart. */
export async function linkChart(patientId: string, fhirPatientId: string) {
  await db.patient.update({ where: { id: patientId }, data: { fhirPatientId } });
}
