// The synthetic follow-up population: named, realistic patients shared by the demo seed, the tests and
// the benchmarks. The first three are the demo clinic's patients (prisma/fixtures.ts), linked by key.
import type { ALLERGENS, CONDITIONS, MEDICATIONS, PROCEDURES } from '../codes';

export type VitalSeries = {
  kind: 'bloodPressure' | 'heartRate' | 'oxygenSaturation' | 'bodyTemperature' | 'bodyWeight' | 'bloodGlucose';
  /** Measured every `everyDays` days with this probability (missed days are realistic). */
  everyDays: number;
  chance: number;
  /** Values at the start and at the end of the period (two numbers for blood pressure), with noise. */
  from: number[];
  to: number[];
  noise: number[];
  decimals: number;
};

/** A few days where readings move (an exacerbation, a fever after surgery). */
export type Episode = { startDay: number; days: number; kind: VitalSeries['kind']; add: number[]; note: string };

export type PatientProfile = {
  key: string;
  familyName: string;
  givenName: string;
  /** Pinyin, for the English name part. */
  latinName: string;
  birthDate: string;
  gender: 'male' | 'female';
  phone?: string;
  months: number;
  conditions: { key: keyof typeof CONDITIONS; onsetYearsAgo: number; resolved?: boolean }[];
  medications: (keyof typeof MEDICATIONS)[];
  /** Medications written as a Medication resource referenced from the request (the rest are coded inline). */
  medicationResources?: (keyof typeof MEDICATIONS)[];
  allergies: (keyof typeof ALLERGENS)[];
  home: VitalSeries[];
  /** Clinic visits every so many days, each with an Encounter, a note and clinic vitals. */
  visitEveryDays: number;
  clinicVitals: VitalSeries['kind'][];
  episodes?: Episode[];
  procedure?: { key: keyof typeof PROCEDURES; daysAgo: number };
  /** The topic of visit notes. */
  focus: 'hypertension' | 'diabetes' | 'copd' | 'postSurgery';
};

const bp = (from: number[], to: number[], chance = 0.85): VitalSeries => ({
  kind: 'bloodPressure',
  everyDays: 1,
  chance,
  from,
  to,
  noise: [7, 5],
  decimals: 0,
});
const series = (kind: VitalSeries['kind'], everyDays: number, chance: number, from: number, to: number, noise: number, decimals: number): VitalSeries => ({
  kind,
  everyDays,
  chance,
  from: [from],
  to: [to],
  noise: [noise],
  decimals,
});

export const POPULATION: PatientProfile[] = [
  {
    key: 'zhang',
    familyName: '张',
    givenName: '伟',
    latinName: 'Zhang Wei',
    birthDate: '1956-03-14',
    gender: 'male',
    phone: '+8613800000001',
    months: 12,
    conditions: [
      { key: 'hypertension', onsetYearsAgo: 8 },
      { key: 'hyperlipidemia', onsetYearsAgo: 5 },
    ],
    medications: ['amlodipine', 'atorvastatin'],
    allergies: ['penicillin'],
    home: [bp([156, 96], [134, 84]), series('heartRate', 1, 0.85, 78, 72, 5, 0), series('bodyWeight', 7, 0.9, 81.5, 78.9, 0.4, 1)],
    visitEveryDays: 91,
    clinicVitals: ['bloodPressure', 'heartRate', 'bodyWeight', 'bodyTemperature'],
    focus: 'hypertension',
  },
  {
    key: 'liu',
    familyName: '刘',
    givenName: '秀英',
    latinName: 'Liu Xiuying',
    birthDate: '1949-11-02',
    gender: 'female',
    phone: '+8613800000002',
    months: 12,
    conditions: [
      { key: 'type2Diabetes', onsetYearsAgo: 11 },
      { key: 'hypertension', onsetYearsAgo: 6 },
    ],
    medications: ['metformin', 'losartan'],
    allergies: ['sulfonamides'],
    home: [
      series('bloodGlucose', 1, 0.8, 8.9, 6.8, 0.8, 1),
      bp([148, 88], [138, 82], 0.5),
      series('heartRate', 1, 0.5, 76, 74, 5, 0),
      series('bodyWeight', 7, 0.8, 64.2, 62.0, 0.3, 1),
    ],
    visitEveryDays: 91,
    clinicVitals: ['bloodPressure', 'heartRate', 'bodyWeight', 'bloodGlucose'],
    focus: 'diabetes',
  },
  {
    key: 'huang',
    familyName: '黄',
    givenName: '建国',
    latinName: 'Huang Jianguo',
    birthDate: '1962-07-21',
    gender: 'male',
    phone: '+8613800000003',
    months: 12,
    conditions: [{ key: 'copd', onsetYearsAgo: 7 }],
    medications: ['tiotropium', 'salbutamol'],
    allergies: [],
    home: [
      series('oxygenSaturation', 1, 0.85, 94, 94, 1.2, 0),
      series('heartRate', 1, 0.85, 84, 82, 5, 0),
      bp([132, 82], [130, 80], 0.3),
      series('bodyTemperature', 7, 0.6, 36.6, 36.6, 0.2, 1),
      series('bodyWeight', 14, 0.8, 70.5, 69.8, 0.4, 1),
    ],
    episodes: [
      { startDay: 150, days: 9, kind: 'oxygenSaturation', add: [-5], note: '慢阻肺急性加重 COPD exacerbation' },
      { startDay: 150, days: 9, kind: 'heartRate', add: [14], note: '慢阻肺急性加重 COPD exacerbation' },
      { startDay: 151, days: 5, kind: 'bodyTemperature', add: [1.4], note: '发热 Fever' },
    ],
    visitEveryDays: 91,
    clinicVitals: ['bloodPressure', 'heartRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight'],
    focus: 'copd',
  },
  {
    key: 'zhou',
    familyName: '周',
    givenName: '敏',
    latinName: 'Zhou Min',
    birthDate: '1975-05-09',
    gender: 'female',
    months: 6,
    conditions: [
      { key: 'gallstones', onsetYearsAgo: 1, resolved: true },
      { key: 'surgicalAftercare', onsetYearsAgo: 0 },
    ],
    medications: ['paracetamol'],
    allergies: ['seafood'],
    procedure: { key: 'laparoscopicCholecystectomy', daysAgo: 170 },
    home: [
      series('bodyTemperature', 1, 0.7, 37.1, 36.6, 0.25, 1),
      series('heartRate', 1, 0.7, 86, 72, 5, 0),
      bp([124, 80], [118, 76], 0.4),
      series('bodyWeight', 7, 0.8, 58.6, 57.4, 0.3, 1),
    ],
    episodes: [{ startDay: 3, days: 4, kind: 'bodyTemperature', add: [0.9], note: '术后低热 Low-grade fever after surgery' }],
    visitEveryDays: 45,
    clinicVitals: ['bloodPressure', 'heartRate', 'bodyTemperature', 'bodyWeight'],
    focus: 'postSurgery',
  },
  {
    key: 'sun',
    familyName: '孙',
    givenName: '立',
    latinName: 'Sun Li',
    birthDate: '1959-01-27',
    gender: 'male',
    months: 9,
    conditions: [{ key: 'type2Diabetes', onsetYearsAgo: 14 }],
    medications: ['metformin', 'insulinGlargine'],
    medicationResources: ['insulinGlargine'],
    allergies: [],
    home: [series('bloodGlucose', 1, 0.9, 10.4, 7.2, 1.0, 1), series('bodyWeight', 7, 0.85, 88.0, 85.1, 0.5, 1)],
    visitEveryDays: 60,
    clinicVitals: ['bloodPressure', 'heartRate', 'bodyWeight', 'bloodGlucose'],
    focus: 'diabetes',
  },
  {
    key: 'wu',
    familyName: '吴',
    givenName: '国华',
    latinName: 'Wu Guohua',
    birthDate: '1945-09-30',
    gender: 'male',
    months: 12,
    conditions: [
      { key: 'hypertension', onsetYearsAgo: 20 },
      { key: 'copd', onsetYearsAgo: 9 },
    ],
    medications: ['losartan', 'tiotropium'],
    allergies: ['penicillin'],
    home: [bp([146, 84], [140, 80], 0.7), series('heartRate', 1, 0.7, 80, 80, 6, 0), series('oxygenSaturation', 1, 0.6, 93, 93, 1.3, 0)],
    visitEveryDays: 91,
    clinicVitals: ['bloodPressure', 'heartRate', 'oxygenSaturation', 'bodyWeight'],
    focus: 'hypertension',
  },
];

/** The FHIR Patient id of a profile: fixed, so seeding is idempotent and the demo database can link to it. */
export function fhirPatientIdFor(key: string): string {
  return `revisit-${key}`;
}

export function profileFor(key: string): PatientProfile {
  const profile = POPULATION.find((p) => p.key === key);
  if (!profile) throw new Error(`No synthetic patient called ${key}`);
  return profile;
}
