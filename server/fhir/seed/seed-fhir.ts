// Writes the synthetic population to a FHIR server through the gateway. Idempotent: every resource has a
// fixed id (PUT), and a patient whose chart was written completely before is left alone.
import { DomainError } from '@/server/errors';
import type { FhirGateway } from '../gateway';
import { buildChart, SEED_TAG, sharedResources } from './chart-builder';
import { fhirPatientIdFor, POPULATION, type PatientProfile } from './population';

/** Put on the Patient last: its presence means the whole chart is on the server. */
const COMPLETE_TAG = { system: SEED_TAG.system, code: 'complete' } as const;
const BATCH_SIZE = 250;

export type SeededPatient = { key: string; patientId: string; created: boolean; resources: number };

export async function seedFhirPopulation(gateway: FhirGateway, options: { endDate: string; profiles?: PatientProfile[] }): Promise<SeededPatient[]> {
  await putAll(gateway, sharedResources());
  const seeded: SeededPatient[] = [];
  for (const profile of options.profiles ?? POPULATION) {
    seeded.push(await seedFhirPatient(gateway, profile, { endDate: options.endDate }));
  }
  return seeded;
}

export async function seedFhirPatient(gateway: FhirGateway, profile: PatientProfile, options: { endDate: string; patientId?: string }): Promise<SeededPatient> {
  const patientId = options.patientId ?? fhirPatientIdFor(profile.key);
  if (await isComplete(gateway, patientId)) return { key: profile.key, patientId, created: false, resources: 0 };
  const { patient, resources } = buildChart(profile, { endDate: options.endDate, patientId });
  // Patient first (servers with referential integrity need it), the completion mark last.
  await putAll(gateway, [patient]);
  await putAll(gateway, resources);
  await gateway.update<fhir4.Patient>({ ...patient, meta: { ...patient.meta, tag: [...(patient.meta?.tag ?? []), COMPLETE_TAG] } });
  return { key: profile.key, patientId, created: true, resources: resources.length + 1 };
}

async function isComplete(gateway: FhirGateway, patientId: string): Promise<boolean> {
  try {
    const existing = await gateway.read<fhir4.Patient>('Patient', patientId);
    return existing.meta?.tag?.some((t) => t.system === COMPLETE_TAG.system && t.code === COMPLETE_TAG.code) ?? false;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

async function putAll(gateway: FhirGateway, resources: fhir4.FhirResource[]): Promise<void> {
  for (let i = 0; i < resources.length; i += BATCH_SIZE) {
    const chunk = resources.slice(i, i + BATCH_SIZE);
    const response = await gateway.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: chunk.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    });
    const failed = (response.entry ?? []).findIndex((entry) => !/^2\d\d/.test(entry.response?.status ?? ''));
    if (failed >= 0 || (response.entry?.length ?? 0) !== chunk.length) {
      const resource = chunk[Math.max(0, failed)]!;
      const outcome = response.entry?.[failed]?.response?.outcome as fhir4.OperationOutcome | undefined;
      const why = outcome?.issue?.map((issue) => `${issue.details?.text ?? issue.diagnostics ?? issue.code} ${issue.expression?.join(',') ?? ''}`).join('; ');
      throw new DomainError('BAD_REQUEST', `The FHIR server refused ${resource.resourceType}/${resource.id}: ${why ?? 'no reason given'}`, 'fhirInvalid');
    }
  }
}
