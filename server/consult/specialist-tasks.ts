// The routing side of specialist requests that the consult lifecycle needs (kept apart from the
// request service so ending a consult does not import the whole of it).
import { db } from '@/server/db';
import { publishRoutingChange } from '@/server/routing/routing-events';

/**
 * The requesting consult is still open: its live request tasks stay fresh (the routing sweeper
 * abandons a waiting task nobody is watching, as it does a patient who left the waiting room).
 */
export async function keepSpecialistRequestsAlive(appointmentId: string, now = new Date()) {
  const requests = await db.specialistRequest.findMany({ where: { appointmentId, cancelledAt: null }, select: { taskId: true } });
  if (requests.length === 0) return;
  await db.task.updateMany({
    where: { id: { in: requests.map((r) => r.taskId) }, state: { in: ['WAITING', 'OFFERED'] } },
    data: { lastSeenAt: now },
  });
}

/** Completes specialist tasks of a consult (one specialist's, or all when the consult ends): each goes into wrap-up. */
export async function finishSpecialistTasks(appointmentId: string, options: { clinicianId?: string } = {}, now = new Date()) {
  const requests = await db.specialistRequest.findMany({ where: { appointmentId }, select: { taskId: true } });
  const tasks = await db.task.findMany({
    where: {
      id: { in: requests.map((r) => r.taskId) },
      state: 'ASSIGNED',
      ...(options.clinicianId ? { assignedClinicianId: options.clinicianId } : {}),
    },
    include: { queue: { select: { wrapUpSeconds: true } } },
  });
  for (const task of tasks) {
    await db.$transaction(async (tx) => {
      const done = await tx.task.updateMany({
        where: { id: task.id, state: 'ASSIGNED' },
        data: { state: 'COMPLETED', completedAt: now, endReason: 'completed' },
      });
      if (done.count !== 1 || !task.assignedClinicianId) return;
      await tx.clinicianPresence.updateMany({
        where: { userId: task.assignedClinicianId, state: 'BUSY' },
        data: { state: 'WRAP_UP', wrapUpUntil: new Date(now.getTime() + task.queue.wrapUpSeconds * 1000) },
      });
      await publishRoutingChange(tx, task.clinicId);
    });
  }
  if (!options.clinicianId) await cancelOpenSpecialistRequests(requests.map((r) => r.taskId), now);
  return { finished: tasks.length };
}


/** The consult ended before anyone accepted: open requests are withdrawn (and their offers rescinded). */
async function cancelOpenSpecialistRequests(taskIds: string[], now: Date) {
  const open = await db.task.findMany({ where: { id: { in: taskIds }, state: { in: ['WAITING', 'OFFERED'] } }, select: { id: true, clinicId: true } });
  for (const task of open) {
    await db.$transaction(async (tx) => {
      await tx.offer.updateMany({ where: { taskId: task.id, state: 'PENDING' }, data: { state: 'RESCINDED', respondedAt: now } });
      await tx.task.updateMany({
        where: { id: task.id, state: { in: ['WAITING', 'OFFERED'] } },
        data: { state: 'CANCELLED', cancelledAt: now, endReason: 'consultEnded' },
      });
      await publishRoutingChange(tx, task.clinicId);
    });
  }
}
