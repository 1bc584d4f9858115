// Routing's public task API: the only way other domains create, end or hand over routing tasks. Routing is
// the only writer of Task, Offer and ClinicianPresence rows, so the rules that keep them consistent (one
// live task per visit, no pending offer on an ended task, capacity held) live in this folder alone.
import type { Prisma, TaskEndReason } from '@/server/db/generated/client';
import { db, type DbTx } from '@/server/db';
import { conflict } from '@/server/errors';
import { lockClinicRouting } from './dispatcher';
import { appointmentTopic, clinicianTopic, publishRoutingChange } from './routing-events';

export type { TaskEndReason };
/** A dispatch round for the clinic: run after a transaction that created or freed work commits. */
export { dispatchClinic } from './dispatcher';

const OPEN_STATES = ['WAITING', 'OFFERED'] as const;

export type NewTask = {
  clinicId: string;
  queueId: string;
  channel: 'WEB' | 'PHONE' | 'SPECIALIST_REQUEST';
  patientId: string | null;
  /** The patient's own visit: a visit has at most one live task of its own. */
  appointmentId?: string | null;
  /** The consult a specialist request is for (its appointmentId stays free for the patient's own task). */
  consultAppointmentId?: string | null;
  priority?: number;
  requiredSkills?: string[];
  preferredClinicianId?: string | null;
  attributes?: Prisma.InputJsonValue;
  now: Date;
};

/** The pending offers of these tasks are taken back, in one statement; returns the clinicians they rang for. */
async function rescindPendingOffers(tx: DbTx, taskIds: string[], now: Date): Promise<string[]> {
  const rows = await tx.$queryRaw<{ clinicianId: string }[]>`
    UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = ${now}
    WHERE "taskId" = ANY(${taskIds}::text[]) AND state = 'PENDING'
    RETURNING "clinicianId"`;
  return rows.map((row) => row.clinicianId);
}

/** A waiting task, in line from `now`; the caller runs a dispatch round after its transaction commits. */
export async function createWaitingTask(tx: DbTx, task: NewTask) {
  const created = await tx.task.create({
    data: {
      clinicId: task.clinicId,
      queueId: task.queueId,
      channel: task.channel,
      patientId: task.patientId,
      appointmentId: task.appointmentId ?? null,
      consultAppointmentId: task.consultAppointmentId ?? null,
      priority: task.priority ?? 0,
      requiredSkills: task.requiredSkills ?? [],
      preferredClinicianId: task.preferredClinicianId ?? null,
      attributes: task.attributes ?? {},
      enqueuedAt: task.now,
      createdAt: task.now,
      lastSeenAt: task.now,
    },
  });
  await publishRoutingChange(tx, task.clinicId, task.appointmentId ? [appointmentTopic(task.appointmentId)] : []);
  return created;
}

/**
 * Ends the open (waiting or offered) tasks among `where`, with their pending offers rescinded, under the
 * clinic's routing lock so that no dispatch round commits an offer on them in between. Returns the ended ids.
 */
export async function endOpenTasks(
  tx: DbTx,
  clinicId: string,
  where: { appointmentId: string } | { taskIds: string[] },
  reason: TaskEndReason,
  now: Date,
): Promise<string[]> {
  const openTasks = () =>
    tx.task.findMany({
      where: { clinicId, state: { in: [...OPEN_STATES] }, ...('taskIds' in where ? { id: { in: where.taskIds } } : { appointmentId: where.appointmentId }) },
      select: { id: true, appointmentId: true },
    });
  // Most cancellations and moves find nothing in line: only then is the clinic's exclusive lock worth taking.
  if ((await openTasks()).length === 0) return [];
  await lockClinicRouting(tx, clinicId);
  const open = await openTasks();
  if (open.length === 0) return [];
  const ids = open.map((task) => task.id);
  const rescinded = await rescindPendingOffers(tx, ids, now);
  const ending = reason === 'left' ? { state: 'ABANDONED' as const, abandonedAt: now } : { state: 'CANCELLED' as const, cancelledAt: now };
  await tx.task.updateMany({ where: { id: { in: ids }, state: { in: [...OPEN_STATES] } }, data: { ...ending, endReason: reason } });
  await publishRoutingChange(tx, clinicId, [
    ...open.flatMap((task) => (task.appointmentId ? [appointmentTopic(task.appointmentId)] : [])),
    ...rescinded.map(clinicianTopic),
  ]);
  return ids;
}

/**
 * A clinician takes a visit directly (a nurse with the patient in front of them): the visit's open task is
 * assigned to them, or a new assigned one is created when the patient is not in line; their presence turns
 * busy only when this fills their capacity. Refused with CONFLICT when someone else holds the visit, or when
 * the clinician already holds as many consults as they can. Runs under the clinic's routing lock, and takes
 * the task row only if it is still in the state read, so an accept committing at the same moment wins.
 */
export async function assignVisitDirectly(
  tx: DbTx,
  visit: { clinicId: string; queueId: string; appointmentId: string; patientId: string },
  clinician: { id: string; clinicId: string },
  now: Date,
) {
  await lockClinicRouting(tx, visit.clinicId);
  const live = await tx.task.findFirst({ where: { appointmentId: visit.appointmentId, state: { in: [...OPEN_STATES, 'ASSIGNED'] } } });
  if (live?.state === 'ASSIGNED') {
    if (live.assignedClinicianId === clinician.id) return live;
    throw conflict('Another clinician is already holding this consult', 'alreadyInProgress');
  }
  const presence = await tx.clinicianPresence.upsert({
    where: { userId: clinician.id },
    create: { userId: clinician.id, clinicId: clinician.clinicId, state: 'OFFLINE' },
    update: {},
  });
  // Row locks in the order an accept takes them (offer and task, then presence) would need the offer first;
  // the routing lock above already keeps dispatch rounds out, and the conditional update below loses to an
  // accept that committed first.
  const holding = await tx.task.count({ where: { assignedClinicianId: clinician.id, state: 'ASSIGNED' } });
  if (holding >= presence.capacity) throw conflict('Finish your current consult before taking the next patient', 'busy');
  let task;
  if (!live) {
    // The patient is at the clinic, not in the online queue: the clinician takes the visit directly.
    task = await tx.task.create({
      data: {
        clinicId: visit.clinicId,
        queueId: visit.queueId,
        channel: 'WEB',
        patientId: visit.patientId,
        appointmentId: visit.appointmentId,
        state: 'ASSIGNED',
        attributes: { inPerson: true },
        enqueuedAt: now,
        createdAt: now,
        lastSeenAt: now,
        assignedAt: now,
        assignedClinicianId: clinician.id,
      },
    });
  } else {
    // The patient was also waiting online: the clinician takes that task, so the patient's phone joins the room.
    const rescinded = await rescindPendingOffers(tx, [live.id], now);
    const taken = await tx.task.updateMany({
      where: { id: live.id, state: live.state },
      data: { state: 'ASSIGNED', assignedAt: now, assignedClinicianId: clinician.id },
    });
    if (taken.count !== 1) throw conflict('Another clinician is already holding this consult', 'alreadyInProgress');
    task = { ...live, state: 'ASSIGNED' as const, assignedClinicianId: clinician.id };
    await publishRoutingChange(tx, visit.clinicId, rescinded.map(clinicianTopic));
  }
  if (holding + 1 >= presence.capacity) {
    await tx.clinicianPresence.update({ where: { userId: clinician.id }, data: { state: 'BUSY', wrapUpUntil: null } });
  }
  await publishRoutingChange(tx, visit.clinicId, [clinicianTopic(clinician.id), appointmentTopic(visit.appointmentId)]);
  return task;
}

/**
 * Completes assigned tasks (a specialist's part of a consult, or every specialist's when it ends): each
 * clinician goes into their queue's wrap-up. Each task is its own transaction, changed only if still assigned.
 */
export async function completeAssignedTasks(taskIds: string[], options: { clinicianId?: string } = {}, now = new Date()) {
  const tasks = await db.task.findMany({
    where: { id: { in: taskIds }, state: 'ASSIGNED', ...(options.clinicianId ? { assignedClinicianId: options.clinicianId } : {}) },
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
      await publishRoutingChange(tx, task.clinicId, [clinicianTopic(task.assignedClinicianId)]);
    });
  }
  return tasks.length;
}

/** The people behind these open tasks are still there (the sweeper abandons an open task nobody is watching). */
export async function keepOpenTasksAlive(taskIds: string[], now = new Date()) {
  if (taskIds.length === 0) return;
  await db.task.updateMany({ where: { id: { in: taskIds }, state: { in: [...OPEN_STATES] } }, data: { lastSeenAt: now } });
}
