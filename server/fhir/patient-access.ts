// Who may see a patient's chart: the patient themself, the care team (clinicians and nurses) of the
// patient's clinic, and whoever an extra rule admits (the care team of a consult where a panel was shared,
// e.g. a specialist from another clinic, registers such a rule). Guests of a consult and administrators
// never see it: this rule refuses them before any extra rule is asked. Every refusal is audited as well as
// every read; the check runs before anything is fetched from FHIR.
import { recordAudit } from '@/server/audit/audit-service';
import type { Principal } from '@/server/auth/session-types';
import { CARE_ROLES, isGuest, isPatient, isStaff } from '@/server/auth/guards';
import { db as defaultDb, type Db, type DbTx } from '@/server/db';
import { DomainError, forbidden } from '@/server/errors';

/** The patient whose chart was authorized, with the FHIR Patient id to read it by (null: no chart linked yet). */
export type ChartAccess = {
  patientId: string;
  clinicId: string;
  fhirPatientId: string | null;
  /** Why access was granted: `self`, `clinic`, or the name of the extra rule that admitted it. */
  grantedBy: string;
};

export type ChartPatient = { id: string; clinicId: string; fhirPatientId: string | null };

/**
 * An extra way in, beyond "own chart" and "own clinic". Return true to admit. Rules must be cheap and must
 * not widen access silently: e.g. "this principal is in a live consult about this patient and the
 * clinician shared a panel with them".
 */
export type ChartAccessRule = {
  name: string;
  admits(principal: Principal, patient: ChartPatient, client: Db | DbTx): Promise<boolean>;
};

const extraRules: ChartAccessRule[] = [];

/** Adds a rule (idempotent by name). */
export function registerChartAccessRule(rule: ChartAccessRule): void {
  const existing = extraRules.findIndex((r) => r.name === rule.name);
  if (existing >= 0) extraRules[existing] = rule;
  else extraRules.push(rule);
}

export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}

/**
 * Throws UNAUTHORIZED without a principal and FORBIDDEN (reason `chartForbidden`) when the principal may
 * not see this patient's chart; a patient id that does not exist is refused the same way, so ids of
 * other clinics' patients cannot be probed.
 */
export async function authorizePatientChart(principal: Principal | null, patientId: string, options: { db?: Db | DbTx } = {}): Promise<ChartAccess> {
  const client = options.db ?? defaultDb;
  if (!principal) throw new DomainError('UNAUTHORIZED', 'Please sign in first.', 'signInRequired');
  const patient = await client.patient.findUnique({
    where: { id: patientId },
    select: { id: true, clinicId: true, fhirPatientId: true },
  });
  const grantedBy = patient ? await grantFor(principal, patient, client) : undefined;
  if (!patient || !grantedBy) {
    await recordAudit(client as DbTx, {
      actor: actorOf(principal),
      action: 'chart.read',
      clinicId: principal.clinicId,
      patientId: patient?.id ?? null,
      subject: `Patient/${patientId}`,
      outcome: 'failure',
      detail: { reason: patient ? 'not permitted' : 'no such patient' },
    });
    throw forbidden("You cannot see this patient's record.", 'chartForbidden');
  }
  return { patientId: patient.id, clinicId: patient.clinicId, fhirPatientId: patient.fhirPatientId, grantedBy };
}

async function grantFor(principal: Principal, patient: ChartPatient, client: Db | DbTx): Promise<string | undefined> {
  if (isPatient(principal) && principal.id === patient.id) return 'self';
  // A guest's principal names the clinic too; guests (family, interpreters) see the call, never the chart,
  // whatever an extra rule would say. Administrators manage the clinic; they do not see patients' charts.
  if (isGuest(principal)) return undefined;
  if (isStaff(principal) && !(CARE_ROLES as readonly string[]).includes(principal.role)) return undefined;
  if (isStaff(principal) && principal.clinicId === patient.clinicId) return 'clinic';
  for (const rule of extraRules) {
    if (await rule.admits(principal, patient, client)) return rule.name;
  }
  return undefined;
}

/**
 * Records that `principal` read part of a patient's chart (`what`: e.g. "vitals", "medications",
 * "Observation?code=85354-9"). Pass the transaction client to commit it with related changes.
 */
export async function auditChartRead(
  client: Db | DbTx,
  entry: { principal: Principal; patientId: string; what: string; clinicId?: string; fhirPatientId?: string | null; grantedBy?: string },
): Promise<void> {
  await recordAudit(client as DbTx, {
    actor: actorOf(entry.principal),
    action: 'chart.read',
    clinicId: entry.clinicId ?? entry.principal.clinicId,
    patientId: entry.patientId,
    subject: entry.what,
    detail: {
      ...(entry.fhirPatientId ? { fhirPatientId: entry.fhirPatientId } : {}),
      ...(entry.grantedBy ? { grantedBy: entry.grantedBy } : {}),
    },
  });
}
