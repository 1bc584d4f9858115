import { describe, expect, it } from 'vitest';
import { buildVitals } from './chart-mapper';
import { identifierQuery, toFhirObservations } from './observation-mapper';
import { LOINC, REVISIT_IDENTIFIER_SYSTEM } from '@/server/shared/vital-signs';

const context = {
  subject: { reference: 'Patient/p1' },
  performer: { reference: 'Patient/p1' },
  effectiveDateTime: '2026-11-24T08:00:00.000Z',
  readingId: '5b0f2a34-1111-4c4c-8888-0123456789ab',
};

describe('toFhirObservations', () => {
  it('writes blood pressure as one panel with systolic and diastolic components in mm[Hg]', () => {
    const [bp] = toFhirObservations({ systolic: 152, diastolic: 94 }, context);
    expect(bp!.code.coding![0]).toMatchObject({ system: 'http://loinc.org', code: LOINC.bloodPressurePanel });
    expect(bp!.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity!.value, c.valueQuantity!.code])).toEqual([
      [LOINC.systolic, 152, 'mm[Hg]'],
      [LOINC.diastolic, 94, 'mm[Hg]'],
    ]);
    expect(bp!.subject).toEqual({ reference: 'Patient/p1' });
    expect(bp!.performer).toEqual([{ reference: 'Patient/p1' }]);
    expect(bp!.category![0]!.coding![0]!.code).toBe('vital-signs');
  });

  it('writes one Observation per vital with LOINC codes, UCUM units and an identifier per vital', () => {
    const observations = toFhirObservations({ heartRate: 72, oxygenSaturation: 97, bodyTemperature: 36.8, bodyWeight: 70.5, bloodGlucose: 6.1 }, context);
    expect(observations.map((o) => [o.code.coding![0]!.code, o.valueQuantity!.code, o.valueQuantity!.system])).toEqual([
      [LOINC.heartRate, '/min', 'http://unitsofmeasure.org'],
      [LOINC.oxygenSaturation, '%', 'http://unitsofmeasure.org'],
      [LOINC.bodyTemperature, 'Cel', 'http://unitsofmeasure.org'],
      [LOINC.bodyWeight, 'kg', 'http://unitsofmeasure.org'],
      [LOINC.glucoseMolarCapillary, 'mmol/L', 'http://unitsofmeasure.org'],
    ]);
    const identifiers = observations.map((o) => o.identifier![0]!.value);
    expect(new Set(identifiers).size).toBe(5);
    expect(identifiers[0]).toBe(`${context.readingId}:heartRate`);
    expect(identifierQuery(observations[0]!.identifier![0]!)).toBe(
      `identifier=${encodeURIComponent(`${REVISIT_IDENTIFIER_SYSTEM}|${context.readingId}:heartRate`)}`,
    );
  });

  it('round-trips through the chart mapper', () => {
    const observations = toFhirObservations({ systolic: 152, diastolic: 94, oxygenSaturation: 91 }, context);
    const { latestVitals } = buildVitals(observations);
    const bp = latestVitals.find((v) => v.kind === 'bloodPressure')!;
    expect(bp.values).toEqual([
      { key: 'systolic', value: 152, flag: 'high' },
      { key: 'diastolic', value: 94, flag: 'high' },
    ]);
    expect(latestVitals.find((v) => v.kind === 'oxygenSaturation')).toMatchObject({ abnormal: true, values: [{ value: 91, flag: 'low' }] });
  });
});
