// How many people a consult and a clinic may reach on numbers staff type in: a guest's invitation by text
// message, a phone called into the room. Each goes out in the clinic's name and at its cost, so a slip or a
// misuse stops at a limit, and every refusal is audited. Invitation links staff pass on themselves send nothing
// and are not limited.
import type { DbTx } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';

export type ContactLimits = {
  /** In one consult, for as long as it lasts. */
  perConsult: number;
  /** Across the clinic's consults, in the last hour. */
  perClinicPerHour: number;
};

export const SMS_INVITE_LIMITS: ContactLimits = { perConsult: 10, perClinicPerHour: 100 };
export const DIAL_OUT_LIMITS: ContactLimits = { perConsult: 10, perClinicPerHour: 100 };

export type LimitReached = { limit: 'consult' | 'clinic'; max: number };

/** Counting and the write that follows happen one at a time per clinic, so two at once cannot both take the last place. */
export async function lockClinicContacts(tx: DbTx, clinicId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`consult-contacts:${clinicId}`}))`;
}

export function hourBefore(now: Date): Date {
  return new Date(now.getTime() - 3600_000);
}

/** Which limit these counts (not yet including the new one) have reached, if any. */
export function limitReached(counts: { consult: number; clinicLastHour: number }, limits: ContactLimits): LimitReached | null {
  if (counts.consult >= limits.perConsult) return { limit: 'consult', max: limits.perConsult };
  if (counts.clinicLastHour >= limits.perClinicPerHour) return { limit: 'clinic', max: limits.perClinicPerHour };
  return null;
}

/** The refusal in the audit trail, committed even though the request is refused. */
export async function auditLimitRefusal(
  tx: DbTx,
  entry: { actor: string; action: string; clinicId: string; patientId: string; appointmentId: string; reached: LimitReached },
): Promise<void> {
  await recordAudit(tx, {
    actor: entry.actor,
    action: entry.action,
    clinicId: entry.clinicId,
    patientId: entry.patientId,
    subject: `Appointment/${entry.appointmentId}`,
    outcome: 'failure',
    detail: entry.reached,
  });
}
