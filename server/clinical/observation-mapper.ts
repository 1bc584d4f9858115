// A home reading -> FHIR vital-sign Observations (one per vital; blood pressure as one panel with two
// components), each with an identifier derived from the reading's id so a retried write stores nothing twice.
import type { VitalsReading } from './schemas';
import {
  BLOOD_PRESSURE,
  LOINC_SYSTEM,
  OBSERVATION_CATEGORY_SYSTEM,
  REVISIT_IDENTIFIER_SYSTEM,
  UCUM_SYSTEM,
  VITALS,
  type VitalDefinition,
} from '@/server/shared/vital-signs';

export type ObservationContext = {
  /** "Patient/<id>" on the FHIR server. */
  subject: fhir4.Reference;
  /** Who took the reading: the patient themselves, or the nurse sitting with them. */
  performer: fhir4.Reference;
  effectiveDateTime: string;
  /** Unique per reading; each Observation's identifier adds the vital to it. */
  readingId: string;
};

const vitalSignsCategory: fhir4.CodeableConcept[] = [
  { coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'vital-signs', display: 'Vital Signs' }], text: 'Vital Signs' },
];

const quantity = (value: number, unit: { ucum: string; display: string }): fhir4.Quantity => ({
  value,
  unit: unit.display,
  system: UCUM_SYSTEM,
  code: unit.ucum,
});

const concept = (code: string, display: string): fhir4.CodeableConcept => ({ coding: [{ system: LOINC_SYSTEM, code, display }], text: display });

export function readingIdentifier(readingId: string, vital: string): fhir4.Identifier {
  return { system: REVISIT_IDENTIFIER_SYSTEM, value: `${readingId}:${vital}` };
}

/** The search that finds an Observation written for this identifier (FHIR conditional create). */
export function identifierQuery(identifier: fhir4.Identifier): string {
  return `identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`;
}

function base(context: ObservationContext, vital: string, code: fhir4.CodeableConcept): fhir4.Observation {
  return {
    resourceType: 'Observation',
    identifier: [readingIdentifier(context.readingId, vital)],
    status: 'final',
    category: vitalSignsCategory,
    code,
    subject: context.subject,
    performer: [context.performer],
    effectiveDateTime: context.effectiveDateTime,
    issued: context.effectiveDateTime,
  };
}

function single(context: ObservationContext, definition: VitalDefinition, value: number): fhir4.Observation {
  return { ...base(context, definition.kind, concept(definition.code, definition.display)), valueQuantity: quantity(value, definition.unit) };
}

export function toFhirObservations(reading: VitalsReading, context: ObservationContext): fhir4.Observation[] {
  const observations: fhir4.Observation[] = [];
  if (reading.systolic !== undefined && reading.diastolic !== undefined) {
    observations.push({
      ...base(context, 'bloodPressure', concept(BLOOD_PRESSURE.code, BLOOD_PRESSURE.display)),
      component: [
        { code: concept(BLOOD_PRESSURE.systolic.code, BLOOD_PRESSURE.systolic.display), valueQuantity: quantity(reading.systolic, BLOOD_PRESSURE.unit) },
        { code: concept(BLOOD_PRESSURE.diastolic.code, BLOOD_PRESSURE.diastolic.display), valueQuantity: quantity(reading.diastolic, BLOOD_PRESSURE.unit) },
      ],
    });
  }
  for (const kind of ['heartRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight', 'bloodGlucose'] as const) {
    const value = reading[kind];
    if (value !== undefined) observations.push(single(context, VITALS[kind], value));
  }
  return observations;
}
