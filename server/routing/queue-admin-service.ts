import type { z } from 'zod';
import { db } from '@/server/db';
import { forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { queueSettingsInput } from './schemas';

function requireAdmin(principal: Principal) {
  if (principal.kind !== 'staff' || principal.role !== 'ADMIN') throw forbidden('Only clinic administrators manage queues');
  return principal;
}

export async function listQueues(principal: Principal) {
  const admin = requireAdmin(principal);
  return db.queue.findMany({ where: { clinicId: admin.clinicId }, orderBy: { createdAt: 'asc' } });
}

export async function updateQueue(principal: Principal, input: z.infer<typeof queueSettingsInput>) {
  const admin = requireAdmin(principal);
  const { queueId, ...settings } = input;
  const owned = await db.queue.count({
    where: { clinicId: admin.clinicId, id: { in: [queueId, ...(settings.overflowQueueId ? [settings.overflowQueueId] : [])] } },
  });
  if (owned !== (settings.overflowQueueId ? 2 : 1)) throw notFound('No such queue in your clinic');
  return db.$transaction(async (tx) => {
    const queue = await tx.queue.update({ where: { id: queueId }, data: settings });
    await recordAudit(tx, { actor: `staff:${admin.id}`, action: 'queue.updated', clinicId: admin.clinicId, subject: `Queue/${queueId}`, detail: settings });
    return queue;
  });
}
