-- A visit record written again before the first one reached FHIR replaces it: the older write is never delivered.
ALTER TYPE "FhirWriteStatus" ADD VALUE 'SUPERSEDED';
