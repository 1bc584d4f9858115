import type { DbTx } from '@/server/db';
import type { Prisma } from '@/server/db/generated/client';

export type AuditEntry = {
  actor: string;
  action: string;
  clinicId?: string | null;
  patientId?: string | null;
  subject?: string | null;
  outcome?: 'success' | 'failure';
  detail?: Prisma.InputJsonValue;
};

/** Written inside the caller's transaction so the audit trail and the change commit together. */
export async function recordAudit(tx: DbTx, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({ data: { ...entry, outcome: entry.outcome ?? 'success' } });
}
