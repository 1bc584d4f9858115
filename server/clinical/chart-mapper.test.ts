import { describe, expect, it } from 'vitest';
import { ageOn, buildChart, buildLastVisit, buildVitals, patientName } from './chart-mapper';
import { LOINC } from '@/server/shared/vital-signs';

const loinc = (code: string, display = code) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
const quantity = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
const obs = (code: string, at: string, value: number, unit: string, extra: Partial<fhir4.Observation> = {}): fhir4.Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: loinc(code),
  effectiveDateTime: at,
  valueQuantity: quantity(value, unit),
  ...extra,
});
const bp = (at: string, systolic: number, diastolic: number): fhir4.Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: loinc(LOINC.bloodPressurePanel),
  effectiveDateTime: at,
  component: [
    { code: loinc(LOINC.systolic), valueQuantity: quantity(systolic, 'mm[Hg]') },
    { code: loinc(LOINC.diastolic), valueQuantity: quantity(diastolic, 'mm[Hg]') },
  ],
});

describe('buildVitals', () => {
  it('orders readings oldest first, keeps the newest as latest and flags it against the normal band', () => {
    const { latestVitals, series } = buildVitals([
      bp('2026-11-20T08:00:00Z', 150, 95),
      bp('2026-10-01T08:00:00Z', 128, 82),
      obs(LOINC.heartRate, '2026-11-20T08:00:00Z', 55, '/min'),
    ]);
    const bpSeries = series.find((s) => s.kind === 'bloodPressure')!;
    expect(bpSeries.times).toEqual([Date.parse('2026-10-01T08:00:00Z'), Date.parse('2026-11-20T08:00:00Z')]);
    expect(bpSeries.lines.map((l) => [l.key, l.values, l.normal])).toEqual([
      ['systolic', [128, 150], { min: 90, max: 139 }],
      ['diastolic', [82, 95], { min: 60, max: 89 }],
    ]);
    expect(latestVitals.find((v) => v.kind === 'bloodPressure')).toMatchObject({ takenAt: '2026-11-20T08:00:00Z', abnormal: true });
    expect(latestVitals.find((v) => v.kind === 'heartRate')!.values[0]).toEqual({ key: 'value', value: 55, flag: 'low' });
  });

  it('converts glucose in mg/dL to mmol/L and reads arterial SpO2 as oxygen saturation', () => {
    const { latestVitals } = buildVitals([
      obs(LOINC.glucoseMass, '2026-11-20T08:00:00Z', 126, 'mg/dL'),
      obs(LOINC.oxygenSaturationArterial, '2026-11-20T08:00:00Z', 96, '%'),
    ]);
    expect(latestVitals.find((v) => v.kind === 'bloodGlucose')!.values[0]!.value).toBe(7);
    expect(latestVitals.find((v) => v.kind === 'oxygenSaturation')!.values[0]).toMatchObject({ value: 96, flag: null });
  });

  it('gives weight a band from the latest height (BMI 18.5 to 24) and none without a height', () => {
    const weight = obs(LOINC.bodyWeight, '2026-11-20T08:00:00Z', 80, 'kg');
    expect(buildVitals([weight]).series.find((s) => s.kind === 'bodyWeight')!.lines[0]!.normal).toBeNull();
    const withHeight = buildVitals([weight, obs(LOINC.bodyHeight, '2026-01-01T00:00:00Z', 1.7, 'm')]);
    expect(withHeight.series.find((s) => s.kind === 'bodyWeight')!.lines[0]!.normal).toEqual({ min: 53.5, max: 69.4 });
    expect(withHeight.latestVitals.find((v) => v.kind === 'bodyWeight')!.values[0]!.flag).toBe('high');
  });

  it('ignores readings entered in error and unknown codes', () => {
    const { latestVitals } = buildVitals([
      obs(LOINC.heartRate, '2026-11-20T08:00:00Z', 190, '/min', { status: 'entered-in-error' }),
      obs('1234-5', '2026-11-20T08:00:00Z', 1, '1'),
    ]);
    expect(latestVitals).toEqual([]);
  });
});

describe('buildLastVisit', () => {
  const note = (id: string, date: string, text: string, encounter?: string): fhir4.DocumentReference => ({
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    date,
    description: `Note ${id}`,
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text).toString('base64') } }],
    context: encounter ? { encounter: [{ reference: `Encounter/${encounter}` }] } : undefined,
  });

  it('shows the notes of the newest finished encounter', () => {
    const visit = buildLastVisit(
      [
        { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'VR' }, period: { start: '2026-09-01T02:00:00Z' } },
        {
          resourceType: 'Encounter',
          id: 'e2',
          status: 'finished',
          class: { code: 'VR' },
          period: { start: '2026-10-01T02:00:00Z' },
          reasonCode: [{ text: 'Hypertension follow-up' }],
        },
        { resourceType: 'Encounter', id: 'e3', status: 'in-progress', class: { code: 'VR' }, period: { start: '2026-11-01T02:00:00Z' } },
      ],
      [note('d1', '2026-09-01T03:00:00Z', 'old note', 'e1'), note('d2', '2026-10-01T03:00:00Z', '血压控制良好', 'e2')],
    );
    expect(visit).toEqual({
      date: '2026-10-01T02:00:00Z',
      reason: 'Hypertension follow-up',
      notes: [{ title: 'Note d2', date: '2026-10-01T03:00:00Z', text: '血压控制良好' }],
    });
  });

  it('is empty without encounters or notes', () => {
    expect(buildLastVisit([], [])).toBeNull();
  });
});

describe('buildChart', () => {
  it('maps demographics, active problems, active medications (with included Medication) and allergies', () => {
    const chart = buildChart(
      {
        patient: { resourceType: 'Patient', name: [{ family: '王', given: ['秀英'] }], gender: 'female', birthDate: '1950-12-01' },
        observations: [],
        conditions: [
          { resourceType: 'Condition', id: 'c1', subject: {}, code: { text: 'Essential hypertension' }, clinicalStatus: { coding: [{ code: 'active' }] } },
          { resourceType: 'Condition', id: 'c2', subject: {}, code: { text: 'Appendicitis' }, clinicalStatus: { coding: [{ code: 'resolved' }] } },
        ],
        medicationRequests: [
          {
            resourceType: 'MedicationRequest',
            id: 'm1',
            status: 'active',
            intent: 'order',
            subject: {},
            medicationReference: { reference: 'Medication/med1' },
            dosageInstruction: [{ text: '5 mg once daily' }],
          },
          { resourceType: 'MedicationRequest', id: 'm2', status: 'stopped', intent: 'order', subject: {}, medicationCodeableConcept: { text: 'Old drug' } },
        ],
        medications: [{ resourceType: 'Medication', id: 'med1', code: { text: 'Amlodipine 5 mg tablet' } }],
        allergies: [
          {
            resourceType: 'AllergyIntolerance',
            id: 'a1',
            patient: {},
            code: { text: 'Penicillin' },
            criticality: 'high',
            reaction: [{ manifestation: [{ text: 'Hives' }] }],
          },
        ],
        encounters: [],
        documents: [],
      },
      new Date('2026-11-24T00:00:00Z'),
    );
    expect(chart.patient).toEqual({ name: '王秀英', gender: 'female', birthDate: '1950-12-01', age: 75 });
    expect(chart.problems.map((p) => p.text)).toEqual(['Essential hypertension']);
    expect(chart.medications).toEqual([{ id: 'm1', name: 'Amlodipine 5 mg tablet', dosage: '5 mg once daily', since: null }]);
    expect(chart.allergies).toEqual([{ id: 'a1', substance: 'Penicillin', reaction: 'Hives', criticality: 'high' }]);
  });

  it('writes western names given name first', () => {
    expect(patientName({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['Ann', 'B'] }] })).toBe('Ann B Smith');
    expect(ageOn('1960-02-29', new Date('2026-02-28T00:00:00Z'))).toBe(65);
  });
});
