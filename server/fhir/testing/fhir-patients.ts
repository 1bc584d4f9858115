// For tests and benchmarks: a FHIR patient of their own with months of realistic data.
import { randomBytes } from 'node:crypto';
import { createFhirGateway, type FhirGateway } from '../gateway';
import { profileFor } from '../seed/population';
import { seedFhirPatient } from '../seed/seed-fhir';

/**
 * Writes a copy of a synthetic patient (default: `zhang`, hypertension, 12 months of home and clinic
 * vitals, problems, medications, an allergy, visits with notes) under a fresh id, ending today, to
 * FHIR_BASE_URL (or the given gateway). Returns the FHIR Patient id.
 */
export async function createFhirPatientWithHistory(
  options: { profile?: string; endDate?: string; gateway?: FhirGateway } = {},
): Promise<{ fhirPatientId: string; resources: number }> {
  const gateway = options.gateway ?? createFhirGateway({ baseUrl: requiredBaseUrl(), timeoutMs: 30_000 });
  const profile = profileFor(options.profile ?? 'zhang');
  const patientId = `test-${profile.key}-${randomBytes(5).toString('hex')}`;
  const seeded = await seedFhirPatient(gateway, profile, {
    endDate: options.endDate ?? new Date().toISOString().slice(0, 10),
    patientId,
  });
  return { fhirPatientId: seeded.patientId, resources: seeded.resources };
}

function requiredBaseUrl(): string {
  // Tests get FHIR_BASE_URL from the test stack (scripts/lib/stack.mjs).
  const url = process.env.FHIR_BASE_URL;
  if (!url) throw new Error('FHIR_BASE_URL is not set: run through `npm test` or pass a gateway');
  return url;
}
