// The vital signs the portal reads and writes: their LOINC codes, UCUM units, the physiological limits a
// reading must fall within, and the normal band drawn on charts. One table shared by the patient's form
// (zod), the FHIR mappers and the charts.

export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
export const CONDITION_CLINICAL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
/** Identifiers the portal gives the resources it writes, so a retried write is recognised. */
export const REVISIT_IDENTIFIER_SYSTEM = 'urn:revisit:fhir-write';

export const LOINC = {
  bloodPressurePanel: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  heartRate: '8867-4',
  oxygenSaturation: '59408-5',
  oxygenSaturationArterial: '2708-6',
  bodyTemperature: '8310-5',
  bodyWeight: '29463-7',
  bodyHeight: '8302-2',
  glucoseMolar: '15074-8',
  glucoseMolarCapillary: '14743-9',
  glucoseMass: '2339-0',
  glucoseMassCapillary: '41653-7',
  visitNote: '11506-3',
} as const;

export type VitalKind = 'bloodPressure' | 'heartRate' | 'oxygenSaturation' | 'bodyTemperature' | 'bodyWeight' | 'bloodGlucose';
export const VITAL_KINDS: readonly VitalKind[] = ['bloodPressure', 'heartRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight', 'bloodGlucose'];
/** The vitals with a trend chart in the clinician's panel. */
export const CHARTED_VITALS: readonly VitalKind[] = ['bloodPressure', 'heartRate', 'oxygenSaturation', 'bloodGlucose', 'bodyWeight'];

export type Range = { min: number; max: number };

export type VitalDefinition = {
  kind: VitalKind;
  /** LOINC code written; codes also read as this vital (e.g. arterial SpO2). */
  code: string;
  display: string;
  readCodes: readonly string[];
  unit: { ucum: string; display: string };
  /** Decimals kept when a value is entered or shown. */
  decimals: number;
  /** Values outside these are refused: they cannot be a real reading of a living adult. */
  limits: Range;
  /** Shown as the band on charts and used for the abnormal flags (no band: no flag). */
  normal: Range | null;
};

export const VITALS: Record<Exclude<VitalKind, 'bloodPressure'>, VitalDefinition> = {
  heartRate: {
    kind: 'heartRate',
    code: LOINC.heartRate,
    display: 'Heart rate',
    readCodes: [LOINC.heartRate],
    unit: { ucum: '/min', display: '/min' },
    decimals: 0,
    limits: { min: 25, max: 250 },
    normal: { min: 60, max: 100 },
  },
  oxygenSaturation: {
    kind: 'oxygenSaturation',
    code: LOINC.oxygenSaturation,
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    readCodes: [LOINC.oxygenSaturation, LOINC.oxygenSaturationArterial],
    unit: { ucum: '%', display: '%' },
    decimals: 0,
    limits: { min: 50, max: 100 },
    normal: { min: 95, max: 100 },
  },
  bodyTemperature: {
    kind: 'bodyTemperature',
    code: LOINC.bodyTemperature,
    display: 'Body temperature',
    readCodes: [LOINC.bodyTemperature],
    unit: { ucum: 'Cel', display: '°C' },
    decimals: 1,
    limits: { min: 30, max: 43 },
    normal: { min: 36.0, max: 37.3 },
  },
  bodyWeight: {
    kind: 'bodyWeight',
    code: LOINC.bodyWeight,
    display: 'Body weight',
    readCodes: [LOINC.bodyWeight],
    unit: { ucum: 'kg', display: 'kg' },
    decimals: 1,
    limits: { min: 2, max: 350 },
    // The band comes from the patient's height when the chart has one (BMI 18.5 to 24).
    normal: null,
  },
  bloodGlucose: {
    kind: 'bloodGlucose',
    code: LOINC.glucoseMolarCapillary,
    display: 'Glucose [Moles/volume] in Capillary blood',
    readCodes: [LOINC.glucoseMolar, LOINC.glucoseMolarCapillary, LOINC.glucoseMass, LOINC.glucoseMassCapillary],
    unit: { ucum: 'mmol/L', display: 'mmol/L' },
    decimals: 1,
    limits: { min: 1, max: 35 },
    normal: { min: 3.9, max: 7.8 },
  },
};

export const BLOOD_PRESSURE = {
  code: LOINC.bloodPressurePanel,
  display: 'Blood pressure panel with all children optional',
  unit: { ucum: 'mm[Hg]', display: 'mmHg' },
  systolic: { code: LOINC.systolic, display: 'Systolic blood pressure', limits: { min: 50, max: 260 }, normal: { min: 90, max: 139 } },
  diastolic: { code: LOINC.diastolic, display: 'Diastolic blood pressure', limits: { min: 30, max: 160 }, normal: { min: 60, max: 89 } },
} as const;

/** Chinese guidance for adults: BMI 18.5 to under 24 is normal. */
export const NORMAL_BMI: Range = { min: 18.5, max: 24 };

/** mg/dL of glucose to mmol/L (molar mass 180.16 g/mol). */
export const GLUCOSE_MG_DL_PER_MMOL_L = 18.016;

export type Flag = 'low' | 'high' | null;

export function flagFor(value: number, normal: Range | null): Flag {
  if (!normal) return null;
  if (value < normal.min) return 'low';
  if (value > normal.max) return 'high';
  return null;
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
