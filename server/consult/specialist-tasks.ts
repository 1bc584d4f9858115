// The routing side of specialist requests that the consult lifecycle needs (kept apart from the
// request service so ending a consult does not import the whole of it).
import { db } from '@/server/db';
import { completeAssignedTasks, endOpenTasks, keepOpenTasksAlive } from '@/server/routing/tasks';

/**
 * The requesting consult is still open: its live request tasks stay fresh (the routing sweeper
 * abandons a waiting task nobody is watching, as it does a patient who left the waiting room).
 */
export async function keepSpecialistRequestsAlive(appointmentId: string, now = new Date()) {
  const requests = await db.specialistRequest.findMany({ where: { appointmentId, cancelledAt: null }, select: { taskId: true } });
  await keepOpenTasksAlive(
    requests.map((r) => r.taskId),
    now,
  );
}

/** Completes specialist tasks of a consult (one specialist's, or all when the consult ends): each goes into wrap-up. */
export async function finishSpecialistTasks(appointmentId: string, options: { clinicianId?: string } = {}, now = new Date()) {
  const requests = await db.specialistRequest.findMany({ where: { appointmentId }, select: { taskId: true, clinicId: true } });
  const taskIds = requests.map((r) => r.taskId);
  const finished = await completeAssignedTasks(taskIds, options, now);
  const clinicId = requests[0]?.clinicId;
  if (!options.clinicianId && clinicId) {
    // The consult ended before anyone accepted: open requests are withdrawn (and their offers rescinded),
    // under the routing lock, so no round can leave an offer ringing on a withdrawn request.
    await db.$transaction((tx) => endOpenTasks(tx, clinicId, { taskIds }, 'consultEnded', now));
  }
  return { finished };
}
