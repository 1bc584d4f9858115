import type { z } from 'zod';
import { db } from '@/server/db';
import { DomainError, notFound } from '@/server/errors';
import { requireAdmin } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { queueSettingsInput } from '@/server/shared/schemas/routing';

export async function listQueues(principal: Principal) {
  const admin = requireAdmin(principal, 'Only clinic administrators manage queues');
  return db.queue.findMany({ where: { clinicId: admin.clinicId }, orderBy: { createdAt: 'asc' } });
}

export async function updateQueue(principal: Principal, input: z.infer<typeof queueSettingsInput>) {
  const admin = requireAdmin(principal, 'Only clinic administrators manage queues');
  const { queueId, ...settings } = input;
  return db.$transaction(async (tx) => {
    // The clinic's queues are locked together: two saves at once cannot each close half of a circle.
    const queues = await tx.$queryRaw<{ id: string; overflowQueueId: string | null }[]>`
      SELECT id, "overflowQueueId" FROM "Queue" WHERE "clinicId" = ${admin.clinicId} ORDER BY id FOR UPDATE`;
    const overflowOf = new Map(queues.map((q) => [q.id, q.overflowQueueId]));
    if (!overflowOf.has(queueId) || (settings.overflowQueueId && !overflowOf.has(settings.overflowQueueId))) {
      throw notFound('No such queue in your clinic', 'notFound');
    }
    overflowOf.set(queueId, settings.overflowQueueId);
    if (leadsBackTo(queueId, overflowOf)) {
      throw new DomainError('BAD_REQUEST', 'Overflow would lead back to this queue', 'overflowCycle');
    }
    const queue = await tx.queue.update({ where: { id: queueId }, data: settings });
    await recordAudit(tx, { actor: `staff:${admin.id}`, action: 'queue.updated', clinicId: admin.clinicId, subject: `Queue/${queueId}`, detail: settings });
    return queue;
  });
}

/** Whether following overflow from `start` comes back to it (a task there would move on every sweep). */
export function leadsBackTo(start: string, overflowOf: ReadonlyMap<string, string | null>): boolean {
  const seen = new Set<string>();
  for (let at = overflowOf.get(start); at; at = overflowOf.get(at)) {
    if (at === start) return true;
    if (seen.has(at)) return false;
    seen.add(at);
  }
  return false;
}
