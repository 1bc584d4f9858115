import { db, type DbTx } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { dispatchClinic, lockClinicRouting } from './dispatcher';
import { publishRoutingChange } from './routing-events';
import { FOLLOW_UP_QUEUE_SLUG, RECONNECT_GRACE_SECONDS } from './routing-config';

type Patient = Extract<Principal, { kind: 'patient' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;

const LIVE_STATES = ['WAITING', 'OFFERED', 'ASSIGNED'] as const;

export function requireClinician(principal: Principal): Staff {
  if (principal.kind !== 'staff' || principal.role === 'ADMIN') throw forbidden('Only clinicians and nurses take consults');
  return principal;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/**
 * Puts the patient's visit in its clinic's follow-up queue. Calling it again (a reload, a reconnect,
 * another device) returns the same live task, with its place, instead of creating a second one.
 */
export async function enqueueForAppointment(principal: Patient, now = new Date()) {
  const existing = await db.task.findFirst({
    where: { appointmentId: principal.appointmentId, state: { in: [...LIVE_STATES] } },
  });
  if (existing) {
    await db.task.update({ where: { id: existing.id }, data: { lastSeenAt: now } });
    return existing;
  }
  const appointment = await db.appointment.findUniqueOrThrow({
    where: { id: principal.appointmentId },
    select: { id: true, clinicId: true, clinicianId: true, reason: true, status: true, patient: { select: { id: true, preferredLocale: true } } },
  });
  if (['CANCELLED', 'COMPLETED', 'NO_SHOW'].includes(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');
  const queue = await db.queue.findUnique({ where: { clinicId_slug: { clinicId: appointment.clinicId, slug: FOLLOW_UP_QUEUE_SLUG } } });
  if (!queue) throw notFound('This clinic has no follow-up queue yet', 'noQueue');
  // A racing request for the same visit may win the create; its task is then the one. If that task
  // ends before we read it, the visit may queue again, so try once more.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const task = await db.$transaction(async (tx) => {
        const created = await tx.task.create({
          data: {
            clinicId: appointment.clinicId,
            queueId: queue.id,
            channel: 'WEB',
            patientId: appointment.patient.id,
            appointmentId: appointment.id,
            preferredClinicianId: appointment.clinicianId,
            attributes: { reason: appointment.reason, language: appointment.patient.preferredLocale },
            enqueuedAt: now,
            createdAt: now,
            lastSeenAt: now,
          },
        });
        await publishRoutingChange(tx, appointment.clinicId);
        return created;
      });
      await dispatchClinic(appointment.clinicId, now);
      return task;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await db.task.findFirst({ where: { appointmentId: appointment.id, state: { in: [...LIVE_STATES] } } });
      if (winner) return winner;
    }
  }
  throw conflict('This visit could not join the queue; please try again', 'retry');
}

/** The waiting page's connection is alive. */
export async function touchTask(taskId: string, now = new Date()) {
  await db.task.updateMany({ where: { id: taskId, state: { in: ['WAITING', 'OFFERED'] } }, data: { lastSeenAt: now } });
}

export async function leaveQueue(principal: Patient, now = new Date()) {
  const task = await db.task.findFirst({
    where: { appointmentId: principal.appointmentId, state: { in: ['WAITING', 'OFFERED'] } },
  });
  if (!task) return { left: false };
  await db.$transaction(async (tx) => {
    await lockClinicRouting(tx, task.clinicId);
    await tx.offer.updateMany({ where: { taskId: task.id, state: 'PENDING' }, data: { state: 'RESCINDED', respondedAt: now } });
    await tx.task.updateMany({
      where: { id: task.id, state: { in: ['WAITING', 'OFFERED'] } },
      data: { state: 'ABANDONED', abandonedAt: now, endReason: 'left' },
    });
    await publishRoutingChange(tx, task.clinicId);
  });
  return { left: true };
}

async function ensurePresence(tx: DbTx, staff: Staff) {
  return tx.clinicianPresence.upsert({
    where: { userId: staff.id },
    create: { userId: staff.id, clinicId: staff.clinicId, state: 'OFFLINE' },
    update: {},
  });
}

/**
 * Returns a clinician's live offers' tasks to their places in line. Only offers still pending are
 * touched: an accept committing at the same moment wins and keeps its offer.
 */
async function rescindOffersOf(tx: DbTx, clinicianId: string, now: Date) {
  const rescinded = await tx.$queryRaw<{ taskId: string }[]>`
    UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = ${now}
    WHERE "clinicianId" = ${clinicianId} AND state = 'PENDING'
    RETURNING "taskId"`;
  if (rescinded.length === 0) return;
  await tx.task.updateMany({ where: { id: { in: rescinded.map((o) => o.taskId) }, state: 'OFFERED' }, data: { state: 'WAITING' } });
}

export async function setPresence(principal: Principal, state: 'AVAILABLE' | 'OFFLINE', now = new Date()) {
  const staff = requireClinician(principal);
  await db.$transaction(async (tx) => {
    await lockClinicRouting(tx, staff.clinicId);
    const presence = await ensurePresence(tx, staff);
    if (state === 'OFFLINE') {
      await rescindOffersOf(tx, staff.id, now);
      await tx.clinicianPresence.update({ where: { userId: staff.id }, data: { state: 'OFFLINE', wrapUpUntil: null } });
    } else {
      const busy = await tx.task.count({ where: { assignedClinicianId: staff.id, state: 'ASSIGNED' } });
      if (busy > 0) throw conflict('Finish your current consult before taking the next patient', 'busy');
      const wasIdle = presence.state === 'AVAILABLE';
      await tx.clinicianPresence.update({
        where: { userId: staff.id },
        data: { state: 'AVAILABLE', wrapUpUntil: null, idleSince: wasIdle ? presence.idleSince : now },
      });
    }
    await publishRoutingChange(tx, staff.clinicId);
  });
  if (state === 'AVAILABLE') await dispatchClinic(staff.clinicId, now);
  return { state };
}

/** One transaction: the offer is accepted, the task assigned and the clinician busy, or nothing changes. */
export async function acceptOffer(principal: Principal, offerId: string, now = new Date()) {
  const staff = requireClinician(principal);
  return db.$transaction(async (tx) => {
    const offer = await tx.offer.findUnique({ where: { id: offerId }, include: { task: true } });
    if (!offer) throw notFound('This offer does not exist');
    if (offer.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
    const taken = await tx.offer.updateMany({
      where: { id: offerId, state: 'PENDING', expiresAt: { gt: now } },
      data: { state: 'ACCEPTED', respondedAt: now },
    });
    if (taken.count !== 1) {
      const current = await tx.offer.findUniqueOrThrow({ where: { id: offerId }, select: { state: true } });
      const why = current.state === 'PENDING' ? 'TIMED_OUT' : current.state;
      throw conflict(`This offer can no longer be accepted (${why.toLowerCase().replace('_', ' ')})`, `offer${why}`);
    }
    const assigned = await tx.task.updateMany({
      where: { id: offer.taskId, state: 'OFFERED' },
      data: { state: 'ASSIGNED', assignedAt: now, assignedClinicianId: staff.id },
    });
    if (assigned.count !== 1) throw conflict('The patient is no longer waiting', 'offerRESCINDED');
    await tx.clinicianPresence.update({ where: { userId: staff.id }, data: { state: 'BUSY' } });
    if (offer.task.appointmentId) {
      await tx.appointment.update({ where: { id: offer.task.appointmentId }, data: { status: 'IN_PROGRESS' } });
    }
    await recordAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'routing.offer-accepted',
      clinicId: offer.task.clinicId,
      patientId: offer.task.patientId,
      subject: `Task/${offer.taskId}`,
    });
    await publishRoutingChange(tx, offer.task.clinicId);
    return { taskId: offer.taskId, appointmentId: offer.task.appointmentId };
  });
}

/** The task goes back to the queue with its original place. */
export async function declineOffer(principal: Principal, offerId: string, now = new Date()) {
  const staff = requireClinician(principal);
  const clinicId = await db.$transaction(async (tx) => {
    const offer = await tx.offer.findUnique({ where: { id: offerId }, include: { task: { select: { clinicId: true } } } });
    if (!offer) throw notFound('This offer does not exist');
    if (offer.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
    const declined = await tx.offer.updateMany({
      where: { id: offerId, state: 'PENDING' },
      data: { state: 'DECLINED', respondedAt: now },
    });
    if (declined.count !== 1) throw conflict('This offer is no longer open', `offer${offer.state}`);
    await tx.task.updateMany({ where: { id: offer.taskId, state: 'OFFERED' }, data: { state: 'WAITING' } });
    await publishRoutingChange(tx, offer.task.clinicId);
    return offer.task.clinicId;
  });
  await dispatchClinic(clinicId, now);
  return { declined: true };
}

/** Ends the consult: the task is completed and the clinician goes into wrap-up. */
export async function completeTask(principal: Principal, appointmentId: string, now = new Date()) {
  const staff = requireClinician(principal);
  return db.$transaction(async (tx) => {
    const task = await tx.task.findFirst({ where: { appointmentId, state: 'ASSIGNED' }, include: { queue: true } });
    if (!task) throw conflict('This consult is not in progress', 'notInProgress');
    if (task.assignedClinicianId !== staff.id) throw forbidden('Only the clinician who took this consult can end it');
    await tx.task.update({ where: { id: task.id }, data: { state: 'COMPLETED', completedAt: now, endReason: 'completed' } });
    await tx.appointment.update({ where: { id: appointmentId }, data: { status: 'COMPLETED' } });
    await tx.clinicianPresence.update({
      where: { userId: staff.id },
      data: { state: 'WRAP_UP', wrapUpUntil: new Date(now.getTime() + task.queue.wrapUpSeconds * 1000) },
    });
    await publishRoutingChange(tx, task.clinicId);
    return { completed: true };
  });
}

/**
 * Time-driven changes, safe to run in every web process at once: each step is a conditional update.
 * Offers past their expiry time out (the clinician becomes not-responding); people not heard from
 * within the grace period are abandoned; overdue tasks overflow; wrap-up ends.
 */
export async function sweep(now = new Date()) {
  const touched = new Set<string>();

  const expired = await db.offer.findMany({
    where: { state: 'PENDING', expiresAt: { lte: now } },
    select: { id: true, taskId: true, clinicianId: true, task: { select: { clinicId: true } } },
    take: 500,
  });
  for (const offer of expired) {
    await db.$transaction(async (tx) => {
      const timedOut = await tx.offer.updateMany({
        where: { id: offer.id, state: 'PENDING' },
        data: { state: 'TIMED_OUT', respondedAt: now },
      });
      if (timedOut.count !== 1) return;
      await tx.task.updateMany({ where: { id: offer.taskId, state: 'OFFERED' }, data: { state: 'WAITING' } });
      await rescindOffersOf(tx, offer.clinicianId, now);
      await tx.clinicianPresence.updateMany({
        where: { userId: offer.clinicianId, state: 'AVAILABLE' },
        data: { state: 'NOT_RESPONDING' },
      });
      await publishRoutingChange(tx, offer.task.clinicId);
      touched.add(offer.task.clinicId);
    });
  }

  const graceStart = new Date(now.getTime() - RECONNECT_GRACE_SECONDS * 1000);
  const gone = await db.task.findMany({
    where: { state: { in: ['WAITING', 'OFFERED'] }, lastSeenAt: { lt: graceStart } },
    select: { id: true, clinicId: true },
    take: 500,
  });
  for (const task of gone) {
    await db.$transaction(async (tx) => {
      const abandoned = await tx.task.updateMany({
        where: { id: task.id, state: { in: ['WAITING', 'OFFERED'] }, lastSeenAt: { lt: graceStart } },
        data: { state: 'ABANDONED', abandonedAt: now, endReason: 'disconnected' },
      });
      if (abandoned.count !== 1) return;
      await tx.offer.updateMany({ where: { taskId: task.id, state: 'PENDING' }, data: { state: 'RESCINDED', respondedAt: now } });
      await publishRoutingChange(tx, task.clinicId);
      touched.add(task.clinicId);
    });
  }

  const overflowing = await db.$queryRaw<{ id: string; clinicId: string; overflowQueueId: string }[]>`
    SELECT t.id, t."clinicId", q."overflowQueueId"
    FROM "Task" t JOIN "Queue" q ON q.id = t."queueId"
    WHERE t.state = 'WAITING' AND q."overflowQueueId" IS NOT NULL AND q."overflowAfterSeconds" IS NOT NULL
      AND t."enqueuedAt" < ${now}::timestamp - make_interval(secs => q."overflowAfterSeconds")
    LIMIT 500`;
  for (const task of overflowing) {
    await db.$transaction(async (tx) => {
      await tx.task.updateMany({
        where: { id: task.id, state: 'WAITING' },
        data: { queueId: task.overflowQueueId, overflowedAt: now },
      });
      await publishRoutingChange(tx, task.clinicId);
    });
    touched.add(task.clinicId);
  }

  const tooLong = await db.$queryRaw<{ id: string; clinicId: string }[]>`
    SELECT t.id, t."clinicId" FROM "Task" t JOIN "Queue" q ON q.id = t."queueId"
    WHERE t.state = 'WAITING' AND q."maxWaitSeconds" IS NOT NULL
      AND t."enqueuedAt" < ${now}::timestamp - make_interval(secs => q."maxWaitSeconds")
    LIMIT 500`;
  for (const task of tooLong) {
    await db.$transaction(async (tx) => {
      await tx.task.updateMany({
        where: { id: task.id, state: 'WAITING' },
        data: { state: 'CANCELLED', cancelledAt: now, endReason: 'maxWait' },
      });
      await publishRoutingChange(tx, task.clinicId);
    });
    touched.add(task.clinicId);
  }

  const wrapped = await db.clinicianPresence.findMany({
    where: { state: 'WRAP_UP', wrapUpUntil: { lte: now } },
    select: { userId: true, clinicId: true },
  });
  for (const presence of wrapped) {
    await db.$transaction(async (tx) => {
      const done = await tx.clinicianPresence.updateMany({
        where: { userId: presence.userId, state: 'WRAP_UP', wrapUpUntil: { lte: now } },
        data: { state: 'AVAILABLE', wrapUpUntil: null, idleSince: now },
      });
      if (done.count === 1) await publishRoutingChange(tx, presence.clinicId);
    });
    touched.add(presence.clinicId);
  }

  // Preferred-clinician windows widen and priorities age with time alone, so clinics with waiting
  // tasks and free clinicians get a round even when nothing else happened.
  const active = await db.$queryRaw<{ clinicId: string }[]>`
    SELECT DISTINCT t."clinicId" FROM "Task" t
    WHERE t.state = 'WAITING'
      AND EXISTS (SELECT 1 FROM "ClinicianPresence" p WHERE p."clinicId" = t."clinicId" AND p.state = 'AVAILABLE')`;
  for (const { clinicId } of active) touched.add(clinicId);
  for (const clinicId of touched) await dispatchClinic(clinicId, now);
  return { timedOut: expired.length, abandoned: gone.length, overflowed: overflowing.length, clinics: touched.size };
}
