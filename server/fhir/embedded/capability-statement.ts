import { getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, ResourceType } from '@medplum/fhirtypes';

/** The resource types the portal reads and writes; the store accepts any R4 type, these are the ones advertised. */
export const SUPPORTED_RESOURCE_TYPES: ResourceType[] = [
  'Patient',
  'Practitioner',
  'Organization',
  'Observation',
  'Condition',
  'MedicationRequest',
  'Medication',
  'AllergyIntolerance',
  'Encounter',
  'DocumentReference',
  'Composition',
  'CarePlan',
  'Procedure',
];

const INCLUDES: Partial<Record<ResourceType, string[]>> = {
  Observation: ['Observation:subject', 'Observation:patient'],
  Condition: ['Condition:subject', 'Condition:patient'],
  MedicationRequest: ['MedicationRequest:subject', 'MedicationRequest:patient', 'MedicationRequest:medication'],
  AllergyIntolerance: ['AllergyIntolerance:patient'],
  Encounter: ['Encounter:subject', 'Encounter:patient'],
  DocumentReference: ['DocumentReference:subject', 'DocumentReference:patient', 'DocumentReference:encounter'],
  Composition: ['Composition:subject', 'Composition:patient'],
};

const REV_INCLUDES: Partial<Record<ResourceType, string[]>> = {
  Patient: [
    'Observation:subject',
    'Condition:subject',
    'MedicationRequest:subject',
    'AllergyIntolerance:patient',
    'Encounter:subject',
    'DocumentReference:subject',
  ],
  Encounter: ['DocumentReference:encounter', 'Observation:encounter'],
};

export function capabilityStatement(baseUrl: string, startedAt: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: startedAt,
    kind: 'instance',
    software: { name: 'Revisit embedded FHIR server', version: '1' },
    implementation: { description: 'Embedded FHIR R4 server for demo, development and tests', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
        resource: SUPPORTED_RESOURCE_TYPES.map((type) => ({
          type,
          interaction: [
            { code: 'read' },
            { code: 'vread' },
            { code: 'update' },
            { code: 'delete' },
            { code: 'history-instance' },
            { code: 'create' },
            { code: 'search-type' },
          ],
          versioning: 'versioned',
          conditionalCreate: true,
          conditionalUpdate: true,
          searchInclude: INCLUDES[type],
          searchRevInclude: REV_INCLUDES[type],
          searchParam: Object.values(getSearchParameters(type) ?? {})
            .filter((param) => param.code && param.type)
            .map((param) => ({ name: param.code as string, type: param.type as 'token', definition: param.url })),
        })),
      },
    ],
  };
}
