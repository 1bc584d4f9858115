// The codes of a patient's active Conditions, read from the chart through the FHIR gateway when a call needs them
// (a playlist entry targets a condition). Nothing read here is stored in the portal's tables.
import type { FhirGateway } from '@/server/fhir/gateway';
import { SYSTEM } from '@/server/fhir/codes';

/** Active (or recurring, relapsed) and neither refuted nor entered in error; no clinical status counts as active. */
export function isActiveCondition(condition: fhir4.Condition): boolean {
  const codings = condition.clinicalStatus?.coding ?? [];
  const status = codings.find((c) => c.system === SYSTEM.conditionClinical)?.code ?? codings[0]?.code;
  const refuted = condition.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error' || c.code === 'refuted');
  return !refuted && (status === undefined || status === 'active' || status === 'recurrence' || status === 'relapse');
}

/** Every code (SNOMED, ICD-10, any system) of the patient's active Conditions. */
export async function activeConditionCodes(gateway: FhirGateway, fhirPatientId: string): Promise<Set<string>> {
  const { resources } = await gateway.search<fhir4.Condition>('Condition', { patient: `Patient/${fhirPatientId}`, _count: 200 });
  const codes = new Set<string>();
  for (const condition of resources.filter(isActiveCondition)) {
    for (const coding of condition.code?.coding ?? []) if (coding.code) codes.add(coding.code);
  }
  return codes;
}
