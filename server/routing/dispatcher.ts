import { db, type DbTx } from '@/server/db';
import { DECLINE_COOLDOWN_SECONDS } from './routing-config';
import { publishRoutingChange } from './routing-events';
import { matchTasks, type FreeClinician, type Match, type QueueRules, type WaitingTask } from './matching';

/** Waiting tasks considered per free clinician in one round (room for skipped, reserved tasks). */
const TASKS_PER_FREE_CLINICIAN = 8;

export async function lockClinicRouting(tx: DbTx, clinicId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`routing:${clinicId}`}))`;
}

type FreeRow = { id: string; skills: string[]; idleSince: Date; free: number };
type TaskRow = Omit<WaitingTask, 'declinedBy'>;

/**
 * One dispatch round for a clinic: offers waiting tasks to free clinicians. Rounds of one clinic run
 * one at a time (advisory lock), whichever web process runs them.
 */
export async function dispatchClinic(clinicId: string, now = new Date()): Promise<Match[]> {
  return db.$transaction(async (tx) => {
    await lockClinicRouting(tx, clinicId);
    const free = await tx.$queryRaw<FreeRow[]>`
      SELECT p."userId" AS id, p.skills, p."idleSince",
             (p.capacity
               - (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = p."userId" AND o.state = 'PENDING')
               - (SELECT count(*) FROM "Task" t WHERE t."assignedClinicianId" = p."userId" AND t.state = 'ASSIGNED'))::int AS free
      FROM "ClinicianPresence" p
      WHERE p."clinicId" = ${clinicId} AND p.state = 'AVAILABLE'`;
    const clinicians: FreeClinician[] = free
      .filter((c) => c.free > 0)
      .map((c) => ({ id: c.id, skills: c.skills, idleSince: c.idleSince, freeSlots: c.free }));
    if (clinicians.length === 0) return [];
    const slots = clinicians.reduce((sum, c) => sum + c.freeSlots, 0);

    const tasks = await tx.$queryRaw<TaskRow[]>`
      SELECT t.id, t."queueId", t.priority, t."enqueuedAt", t."requiredSkills", t."preferredClinicianId"
      FROM "Task" t JOIN "Queue" q ON q.id = t."queueId"
      WHERE t."clinicId" = ${clinicId} AND t.state = 'WAITING'
      ORDER BY t."enqueuedAt" - make_interval(secs => t.priority * q."agingSecondsPerPriority"), t."enqueuedAt", t.id
      LIMIT ${slots * TASKS_PER_FREE_CLINICIAN}`;
    if (tasks.length === 0) return [];

    const cooldownStart = new Date(now.getTime() - DECLINE_COOLDOWN_SECONDS * 1000);
    const declined = await tx.offer.findMany({
      where: { taskId: { in: tasks.map((t) => t.id) }, state: 'DECLINED', respondedAt: { gt: cooldownStart } },
      select: { taskId: true, clinicianId: true },
    });
    const queues = await tx.queue.findMany({
      where: { id: { in: [...new Set(tasks.map((t) => t.queueId))] } },
      select: { id: true, requiredSkills: true, preferredClinicianSeconds: true, agingSecondsPerPriority: true, offerTimeoutSeconds: true },
    });
    const matches = matchTasks({
      tasks: tasks.map((t) => ({ ...t, declinedBy: declined.filter((d) => d.taskId === t.id).map((d) => d.clinicianId) })),
      clinicians,
      queues: queues satisfies QueueRules[],
      now,
    });
    if (matches.length === 0) return [];

    const timeoutOf = new Map(queues.map((q) => [q.id, q.offerTimeoutSeconds]));
    const queueOf = new Map(tasks.map((t) => [t.id, t.queueId]));
    await tx.offer.createMany({
      data: matches.map((m) => ({
        taskId: m.taskId,
        clinicianId: m.clinicianId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + (timeoutOf.get(queueOf.get(m.taskId)!) ?? 20) * 1000),
      })),
    });
    await tx.task.updateMany({ where: { id: { in: matches.map((m) => m.taskId) }, state: 'WAITING' }, data: { state: 'OFFERED' } });
    await publishRoutingChange(tx, clinicId);
    return matches;
  });
}
