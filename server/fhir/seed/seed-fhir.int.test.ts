// Seeding the embedded FHIR server over HTTP: complete charts, idempotent, readable through the gateway.
import { describe, expect, it } from 'vitest';
import { createFhirGateway } from '../gateway';
import { createFhirPatientWithHistory } from '../testing/fhir-patients';
import { POPULATION, profileFor } from './population';
import { seedFhirPatient, seedFhirPopulation } from './seed-fhir';

const gateway = createFhirGateway({ baseUrl: process.env.FHIR_BASE_URL as string, timeoutMs: 30_000 });

describe('FHIR seed', () => {
  it('writes the whole population once; a second run writes nothing and changes no version', async () => {
    const first = await seedFhirPopulation(gateway, { endDate: '2026-11-24' });
    expect(first.map((p) => p.key)).toEqual(POPULATION.map((p) => p.key));
    const zhang = await gateway.read<fhir4.Patient>('Patient', 'revisit-zhang');
    expect(zhang.name?.[0]?.text).toBe('张伟');
    const observationsBefore = await gateway.search<fhir4.Observation>('Observation', { patient: 'revisit-zhang', _count: 1000 });

    const again = await seedFhirPopulation(gateway, { endDate: '2026-11-24' });
    expect(again.every((p) => !p.created)).toBe(true);
    expect((await gateway.read<fhir4.Patient>('Patient', 'revisit-zhang')).meta?.versionId).toBe(zhang.meta?.versionId);
    const observationsAfter = await gateway.search<fhir4.Observation>('Observation', { patient: 'revisit-zhang', _count: 1000 });
    expect(observationsAfter.resources.map((o) => `${o.id}@${o.meta?.versionId}`).sort()).toEqual(
      observationsBefore.resources.map((o) => `${o.id}@${o.meta?.versionId}`).sort(),
    );
  });

  it('gives a test its own patient with a year of data, found by the searches a chart needs', async () => {
    const { fhirPatientId, resources } = await createFhirPatientWithHistory();
    expect(fhirPatientId).toMatch(/^test-zhang-/);
    expect(resources).toBeGreaterThan(500);

    const bloodPressure = await gateway.search<fhir4.Observation>('Observation', {
      patient: fhirPatientId,
      code: 'http://loinc.org|85354-9',
      _sort: '-date',
      _count: 500,
    });
    expect(bloodPressure.resources.length).toBeGreaterThan(250);
    const newest = bloodPressure.resources[0]!.effectiveDateTime!;
    const oldest = bloodPressure.resources.at(-1)!.effectiveDateTime!;
    expect((Date.parse(newest) - Date.parse(oldest)) / 86_400_000).toBeGreaterThan(330);

    const conditions = await gateway.search<fhir4.Condition>('Condition', { patient: fhirPatientId, _include: 'Condition:subject' });
    expect(conditions.resources.map((c) => c.code?.coding?.find((x) => x.system === 'http://hl7.org/fhir/sid/icd-10')?.code).sort()).toEqual(['E78.5', 'I10']);
    expect(conditions.included.map((r) => r.id)).toEqual([fhirPatientId]);
    expect((await gateway.search('MedicationRequest', { patient: fhirPatientId })).resources).toHaveLength(2);
    expect((await gateway.search('AllergyIntolerance', { patient: fhirPatientId })).resources).toHaveLength(1);
    const notes = await gateway.search<fhir4.DocumentReference>('DocumentReference', { patient: fhirPatientId, _sort: '-date', _count: 1 }, { maxPages: 1 });
    expect(Buffer.from(notes.resources[0]!.content[0]!.attachment.data!, 'base64').toString()).toContain('Plan:');
    const encounters = await gateway.search<fhir4.Encounter>('Encounter', { patient: fhirPatientId });
    expect(encounters.resources.length).toBeGreaterThanOrEqual(3);
  });

  it('links a medication resource through MedicationRequest:medication', async () => {
    const { patientId } = await seedFhirPatient(gateway, profileFor('sun'), { endDate: '2026-11-24', patientId: `test-sun-${Date.now()}` });
    const requests = await gateway.search('MedicationRequest', { patient: patientId, _include: 'MedicationRequest:medication' });
    expect(requests.resources).toHaveLength(2);
    expect(requests.included.map((r) => r.resourceType)).toEqual(['Medication']);
  });
});
