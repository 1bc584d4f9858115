import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, VITAL_SIGNS } from '../codes';
import { loadFhirDefinitions } from '../embedded/definitions';
import { buildChart } from './chart-builder';
import { fhirPatientIdFor, POPULATION, profileFor } from './population';

const endDate = '2026-11-24';
const chartOf = (key: string) => buildChart(profileFor(key), { endDate, patientId: fhirPatientIdFor(key) });

beforeAll(() => loadFhirDefinitions(), 60_000);

describe('synthetic charts', () => {
  it('are the same on every run', () => {
    for (const profile of POPULATION) {
      expect(JSON.stringify(chartOf(profile.key))).toBe(JSON.stringify(chartOf(profile.key)));
    }
    expect(JSON.stringify(chartOf('zhang'))).not.toBe(JSON.stringify(buildChart(profileFor('zhang'), { endDate: '2026-11-23', patientId: 'revisit-zhang' })));
  }, 30_000);

  it('are valid FHIR R4, every resource', () => {
    for (const profile of POPULATION) {
      const { patient, resources } = chartOf(profile.key);
      for (const resource of [patient, ...resources]) {
        expect(() => validateResource(resource as Resource), `${resource.resourceType}/${resource.id}`).not.toThrow();
      }
    }
    // About 3,700 resources: seconds on a busy machine.
  }, 60_000);

  it('cover the follow-up population: hypertension, type 2 diabetes, COPD and after surgery', () => {
    const conditions = POPULATION.flatMap((p) => chartOf(p.key).resources.filter((r): r is fhir4.Condition => r.resourceType === 'Condition'));
    const icd10 = new Set(conditions.flatMap((c) => c.code?.coding?.filter((x) => x.system === SYSTEM.icd10).map((x) => x.code)));
    for (const code of ['I10', 'E11.9', 'J44.9', 'Z48.815']) expect(icd10).toContain(code);
    const snomed = new Set(conditions.flatMap((c) => c.code?.coding?.filter((x) => x.system === SYSTEM.snomed).map((x) => x.code)));
    for (const code of ['38341003', '44054006', '13645005']) expect(snomed).toContain(code);
  });

  it('hold 6 to 12 months of home and clinic vitals with LOINC codes and UCUM units', () => {
    for (const profile of POPULATION) {
      const observations = chartOf(profile.key).resources.filter((r): r is fhir4.Observation => r.resourceType === 'Observation');
      const dates = observations.map((o) => o.effectiveDateTime!.slice(0, 10)).sort();
      const spanDays = (Date.parse(dates.at(-1)!) - Date.parse(dates[0]!)) / 86_400_000;
      expect(spanDays, profile.key).toBeGreaterThanOrEqual(profile.months * 30 - 10);
      expect(spanDays, profile.key).toBeLessThanOrEqual(366);
      expect(dates.at(-1)! <= endDate).toBe(true);
      for (const observation of observations) {
        expect(observation.code.coding?.[0]?.system).toBe(SYSTEM.loinc);
        const quantities = observation.component ? observation.component.map((c) => c.valueQuantity!) : [observation.valueQuantity!];
        for (const q of quantities) expect(q.system).toBe(SYSTEM.ucum);
      }
      const homeReadings = observations.filter((o) => o.performer?.[0]?.reference?.startsWith('Patient/'));
      const clinicReadings = observations.filter((o) => o.encounter);
      expect(homeReadings.length, profile.key).toBeGreaterThan(100);
      expect(clinicReadings.length, profile.key).toBeGreaterThan(3);
    }
  });

  it('code blood pressure as the 85354-9 panel with systolic and diastolic components in mm[Hg]', () => {
    const bp = chartOf('zhang').resources.filter(
      (r): r is fhir4.Observation => r.resourceType === 'Observation' && r.code.coding?.[0]?.code === VITAL_SIGNS.bloodPressure.loinc,
    );
    expect(bp.length).toBeGreaterThan(250);
    for (const o of bp) {
      const [systolic, diastolic] = o.component!;
      expect(systolic!.code.coding![0]!.code).toBe('8480-6');
      expect(diastolic!.code.coding![0]!.code).toBe('8462-4');
      expect(systolic!.valueQuantity!.code).toBe('mm[Hg]');
      expect(systolic!.valueQuantity!.value!).toBeGreaterThan(diastolic!.valueQuantity!.value!);
      expect(systolic!.valueQuantity!.value!).toBeGreaterThan(90);
      expect(systolic!.valueQuantity!.value!).toBeLessThan(200);
    }
    // The treated patient's pressure comes down over the year.
    const mean = (list: fhir4.Observation[]) => list.reduce((s, o) => s + o.component![0]!.valueQuantity!.value!, 0) / list.length;
    expect(mean(bp.slice(0, 30)) - mean(bp.slice(-30))).toBeGreaterThan(10);
  });

  it('include medications, allergies, encounters and readable notes', () => {
    const { resources } = chartOf('sun');
    const byType = (type: string) => resources.filter((r) => r.resourceType === type);
    expect(byType('MedicationRequest')).toHaveLength(2);
    expect(byType('Medication')).toHaveLength(1);
    const encounters = byType('Encounter') as fhir4.Encounter[];
    const notes = byType('DocumentReference') as fhir4.DocumentReference[];
    expect(encounters.length).toBeGreaterThanOrEqual(4);
    expect(notes).toHaveLength(encounters.length);
    const text = Buffer.from(notes[0]!.content[0]!.attachment.data!, 'base64').toString('utf8');
    expect(notes[0]!.content[0]!.attachment.contentType).toContain('text/plain');
    expect(text).toContain('Plan:');
    expect(notes[0]!.context?.encounter?.[0]?.reference).toBe(`Encounter/${encounters[0]!.id}`);
    expect(chartOf('zhang').resources.filter((r) => r.resourceType === 'AllergyIntolerance')).toHaveLength(1);
    expect(chartOf('zhou').resources.some((r) => r.resourceType === 'Procedure')).toBe(true);
  });
});
