import { db, type DbTx } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { randomUUID } from 'node:crypto';
import { becomeAvailable, becomeAvailableStats, dispatchClinic, lockClinicRouting } from './dispatcher';
import { appointmentTopic, clinicianTopic, ownPartsSql, publishRoutingChange, ROUTING_CHANNEL, routingPayloadSql } from './routing-events';
import { currentJsonSql, presenceJsonSql } from './desk-json';
import { inRoutingTransaction, isRetryable, routingQuery, sqlTime, type Queryable, type RoutingStatement } from './routing-sql';
import { FOLLOW_UP_QUEUE_SLUG, RECONNECT_GRACE_SECONDS } from './routing-config';
import { batchedStatement } from './statement-batch';

type Patient = Extract<Principal, { kind: 'patient' }>;
type Staff = Extract<Principal, { kind: 'staff' }>;

const LIVE_STATES = ['WAITING', 'OFFERED', 'ASSIGNED'] as const;

/**
 * A specialist request's task names the consult it is for in its attributes (its appointmentId column
 * stays free for the patient's own task), so accepting one leads into that consult.
 */
async function consultAppointmentOfTask(taskId: string): Promise<string | null> {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { channel: true, attributes: true } });
  if (task?.channel !== 'SPECIALIST_REQUEST') return null;
  const value = (task.attributes as { consultAppointmentId?: unknown } | null)?.consultAppointmentId;
  return typeof value === 'string' ? value : null;
}

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
        await publishRoutingChange(tx, appointment.clinicId, [appointmentTopic(appointment.id)]);
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
    const rescinded = await tx.$queryRaw<{ clinicianId: string }[]>`
      UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = ${now}
      WHERE "taskId" = ${task.id} AND state = 'PENDING'
      RETURNING "clinicianId"`;
    await tx.task.updateMany({
      where: { id: task.id, state: { in: ['WAITING', 'OFFERED'] } },
      data: { state: 'ABANDONED', abandonedAt: now, endReason: 'left' },
    });
    await publishRoutingChange(tx, task.clinicId, [
      appointmentTopic(principal.appointmentId),
      ...rescinded.map((o) => clinicianTopic(o.clinicianId)),
    ]);
  });
  return { left: true };
}

/** Runs a one-statement change again once if PostgreSQL broke a deadlock by cancelling it (nothing was written). */
async function once<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isRetryable(error)) throw error;
    return run();
  }
}

const notifySql = (clinic: string, topics: string[], own?: string) => `pg_notify('${ROUTING_CHANNEL}', ${routingPayloadSql(clinic, topics, own)})`;

/**
 * A clinician's live offers' tasks go back to their places in line. Only offers still pending are
 * touched: an accept committing at the same moment wins and keeps its offer.
 */
async function rescindOffersOf(tx: DbTx, clinicianId: string, now: Date): Promise<string[]> {
  const rescinded = await tx.$queryRaw<{ taskId: string; appointmentId: string | null }[]>`
    WITH rescinded AS (
      UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = ${now}
      WHERE "clinicianId" = ${clinicianId} AND state = 'PENDING'
      RETURNING "taskId"
    )
    UPDATE "Task" t SET state = 'WAITING' FROM rescinded
    WHERE t.id = rescinded."taskId" AND t.state = 'OFFERED'
    RETURNING t.id AS "taskId", t."appointmentId"`;
  return rescinded.flatMap((r) => (r.appointmentId ? [appointmentTopic(r.appointmentId)] : []));
}

export async function setPresence(principal: Principal, state: 'AVAILABLE' | 'OFFLINE', now = new Date()) {
  const staff = requireClinician(principal);
  if (state === 'AVAILABLE') {
    const result = await once(() => becomeAvailable(staff.id, staff.clinicId, now));
    if (result.busy) throw conflict('Finish your current consult before taking the next patient', 'busy');
    if (!result.offerId) await dispatchClinic(staff.clinicId, now);
    return { state };
  }
  // Going offline takes back pending offers and then changes the presence, under the clinic's
  // exclusive lock so that no dispatch round commits an offer in between. (Offers before presence:
  // the order in which an accept locks the same rows.)
  await db.$transaction(async (tx) => {
    await lockClinicRouting(tx, staff.clinicId);
    const patients = await rescindOffersOf(tx, staff.id, now);
    await tx.clinicianPresence.upsert({
      where: { userId: staff.id },
      create: { userId: staff.id, clinicId: staff.clinicId, state: 'OFFLINE' },
      update: { state: 'OFFLINE', wrapUpUntil: null },
    });
    await publishRoutingChange(tx, staff.clinicId, [clinicianTopic(staff.id), ...patients]);
  });
  return { state };
}

// Accepting is one statement, for every accept of this process that arrives together (see
// statement-batch.ts; each request is a row of "req"). A request's offer and task are locked together
// and only if the offer is the caller's, pending and unexpired and the task still offered (PostgreSQL
// re-checks this on the newest versions when a decline, a timeout or a rescind commits first); then
// the offer is accepted, the task assigned, the clinician busy, the visit in progress and the audit
// written, or nothing is. Locks are taken in offer order, the same in every batch.
// The notification carries the clinician's new desk parts when they hold one task at a time (with
// room for more, other offers may still ring: their desk reads again).
const acceptStatement: RoutingStatement = {
  name: 'routing.accept',
  text: `
    WITH req AS MATERIALIZED (
      SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[], $4::text[])
        WITH ORDINALITY AS r("offerId", "clinicianId", at, "auditId", n)
    ), target AS (
      SELECT req.n, req."clinicianId", req.at, req."auditId", o.id AS "offerId", t.id AS "taskId", t."appointmentId", t."clinicId", t."patientId"
      FROM req JOIN "Offer" o ON o.id = req."offerId" JOIN "Task" t ON t.id = o."taskId"
      WHERE o."clinicianId" = req."clinicianId" AND o.state = 'PENDING' AND o."expiresAt" > req.at AND t.state = 'OFFERED'
      ORDER BY o.id
      FOR UPDATE OF o, t
    ), accepted AS (
      UPDATE "Offer" o SET state = 'ACCEPTED', "respondedAt" = target.at FROM target WHERE o.id = target."offerId" RETURNING o.id
    ), assigned AS (
      UPDATE "Task" t SET state = 'ASSIGNED', "assignedAt" = target.at, "assignedClinicianId" = target."clinicianId"
      FROM target WHERE t.id = target."taskId" RETURNING t.id
    ), busy AS (
      UPDATE "ClinicianPresence" p SET state = 'BUSY', "updatedAt" = target.at FROM target WHERE p."userId" = target."clinicianId"
      RETURNING p."userId", p.state, p."idleSince", p."wrapUpUntil", p.capacity
    ), visit AS (
      UPDATE "Appointment" a SET status = 'IN_PROGRESS', "updatedAt" = target.at FROM target WHERE a.id = target."appointmentId" RETURNING 1
    ), audit AS (
      INSERT INTO "AuditEvent" (id, "occurredAt", actor, action, "clinicId", "patientId", subject, outcome)
      SELECT target."auditId", target.at, 'staff:' || target."clinicianId", 'routing.offer-accepted', target."clinicId", target."patientId",
             'Task/' || target."taskId", 'success'
      FROM target RETURNING 1
    )
    SELECT o."clinicianId", o.state, target."taskId", target."appointmentId",
           (SELECT ${notifySql('target."clinicId"', [`'clinician:' || target."clinicianId"`, `'appointment:' || target."appointmentId"`], `CASE WHEN busy.capacity = 1 THEN ${ownPartsSql('target."clinicianId"', {
             presence: presenceJsonSql('busy'),
             offer: 'NULL',
             current: currentJsonSql('t'),
           })} END`)}
            FROM "Task" t LEFT JOIN busy ON busy."userId" = target."clinicianId" WHERE t.id = target."taskId") AS notified
    FROM req LEFT JOIN "Offer" o ON o.id = req."offerId" LEFT JOIN target ON target.n = req.n
    ORDER BY req.n`,
};

type AcceptRequest = { offerId: string; clinicianId: string; at: Date };
type AcceptRow = { clinicianId: string | null; state: string | null; taskId: string | null; appointmentId: string | null };

const acceptBatched = batchedStatement<AcceptRequest, AcceptRow>(
  (requests) =>
    routingQuery<AcceptRow>(acceptStatement, [
      requests.map((r) => r.offerId),
      requests.map((r) => r.clinicianId),
      requests.map((r) => sqlTime(r.at)),
      requests.map(() => randomUUID()),
    ]),
  { key: (r) => r.offerId },
);

// Why an accept failed, as of now (the accept's own view may predate the change that beat it).
const offerOutcomeStatement: RoutingStatement = {
  name: 'routing.offerOutcome',
  text: `
    SELECT o.state, o."expiresAt" <= $2::timestamp(3) AS expired, t.state = 'OFFERED' AS "taskOffered"
    FROM "Offer" o JOIN "Task" t ON t.id = o."taskId" WHERE o.id = $1`,
};

/** One transaction: the offer is accepted, the task assigned and the clinician busy, or nothing changes. */
export async function acceptOffer(principal: Principal, offerId: string, now = new Date()) {
  const staff = requireClinician(principal);
  const row = await once(() => acceptBatched({ offerId, clinicianId: staff.id, at: now }));
  if (!row.clinicianId) throw notFound('This offer does not exist');
  if (row.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
  if (row.taskId) return { taskId: row.taskId, appointmentId: row.appointmentId ?? (await consultAppointmentOfTask(row.taskId)) };
  const [outcome] = await routingQuery<{ state: string; expired: boolean; taskOffered: boolean }>(offerOutcomeStatement, [offerId, sqlTime(now)]);
  if (outcome?.state === 'PENDING' && !outcome.expired && !outcome.taskOffered) {
    throw conflict('The patient is no longer waiting', 'offerRESCINDED');
  }
  const why = !outcome || outcome.state === 'PENDING' ? 'TIMED_OUT' : outcome.state;
  throw conflict(`This offer can no longer be accepted (${why.toLowerCase().replace('_', ' ')})`, `offer${why}`);
}

const declineStatement: RoutingStatement = {
  name: 'routing.decline',
  text: `
    WITH offer AS (
      SELECT o."clinicianId", o.state FROM "Offer" o WHERE o.id = $1
    ), target AS (
      SELECT o.id AS "offerId", t.id AS "taskId", t."clinicId", t."appointmentId", t.state AS "taskState"
      FROM "Offer" o JOIN "Task" t ON t.id = o."taskId"
      WHERE o.id = $1 AND o."clinicianId" = $2 AND o.state = 'PENDING'
      FOR UPDATE OF o, t
    ), declined AS (
      UPDATE "Offer" o SET state = 'DECLINED', "respondedAt" = $3::timestamp(3) FROM target WHERE o.id = target."offerId" RETURNING o.id
    ), returned AS (
      UPDATE "Task" t SET state = 'WAITING' FROM target WHERE t.id = target."taskId" AND target."taskState" = 'OFFERED' RETURNING t.id
    )
    SELECT offer."clinicianId", offer.state, target."clinicId",
           (SELECT ${notifySql('target."clinicId"', [`'clinician:' || $2`, `'appointment:' || target."appointmentId"`])} FROM target) AS notified
    FROM offer LEFT JOIN target ON true`,
};

/** The task goes back to the queue with its original place. */
export async function declineOffer(principal: Principal, offerId: string, now = new Date()) {
  const staff = requireClinician(principal);
  const [row] = await once(() =>
    routingQuery<{ clinicianId: string; state: string; clinicId: string | null }>(declineStatement, [offerId, staff.id, sqlTime(now)]),
  );
  if (!row) throw notFound('This offer does not exist');
  if (row.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
  if (!row.clinicId) throw conflict('This offer is no longer open', `offer${row.state === 'PENDING' ? 'RESCINDED' : row.state}`);
  await dispatchClinic(row.clinicId, now);
  return { declined: true };
}

// Ending a consult is one statement, for every such request of this process that arrives together
// (see statement-batch.ts; each request is a row of "req"): the task (locked, still assigned to the
// caller) is completed, the visit too, and the clinician goes into their queue's wrap-up. A visit has
// at most one live task ("Task_one_live_per_appointment"). The notification carries the new presence,
// and that the consult is over when the clinician holds one task at a time.
const completeStatement: RoutingStatement = {
  name: 'routing.complete',
  text: `
    WITH req AS MATERIALIZED (
      SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[]) WITH ORDINALITY AS r("appointmentId", "clinicianId", at, n)
    ), task AS (
      SELECT req.n, req."clinicianId" AS caller, req.at, t.id, t."appointmentId", t."assignedClinicianId", t."clinicId", q."wrapUpSeconds"
      FROM req JOIN "Task" t ON t."appointmentId" = req."appointmentId" AND t.state = 'ASSIGNED' JOIN "Queue" q ON q.id = t."queueId"
      ORDER BY t.id
      FOR UPDATE OF t
    ), mine AS (
      SELECT * FROM task WHERE "assignedClinicianId" = caller
    ), completed AS (
      UPDATE "Task" t SET state = 'COMPLETED', "completedAt" = mine.at, "endReason" = 'completed'
      FROM mine WHERE t.id = mine.id RETURNING t.id
    ), visit AS (
      UPDATE "Appointment" a SET status = 'COMPLETED', "updatedAt" = mine.at FROM mine WHERE a.id = mine."appointmentId" RETURNING 1
    ), wrapUp AS (
      UPDATE "ClinicianPresence" p
      SET state = 'WRAP_UP', "wrapUpUntil" = mine.at + make_interval(secs => mine."wrapUpSeconds"), "updatedAt" = mine.at
      FROM mine WHERE p."userId" = mine.caller RETURNING p."userId", p.state, p."idleSince", p."wrapUpUntil", p.capacity
    )
    SELECT task."assignedClinicianId", EXISTS (SELECT 1 FROM completed WHERE completed.id = mine.id) AS completed,
           CASE WHEN mine.id IS NOT NULL THEN
             (SELECT ${notifySql('mine."clinicId"', [`'clinician:' || mine.caller`, `'appointment:' || mine."appointmentId"`], `CASE
                WHEN wrapUp.capacity = 1 THEN ${ownPartsSql('mine.caller', { presence: presenceJsonSql('wrapUp'), current: 'NULL' })}
                WHEN wrapUp.capacity > 1 THEN ${ownPartsSql('mine.caller', { presence: presenceJsonSql('wrapUp') })} END`)}
              FROM (SELECT 1) one LEFT JOIN wrapUp ON wrapUp."userId" = mine.caller)
           END AS notified
    FROM req LEFT JOIN task ON task.n = req.n LEFT JOIN mine ON mine.n = req.n
    ORDER BY req.n`,
};

type CompleteRequest = { appointmentId: string; clinicianId: string; at: Date };
type CompleteRow = { assignedClinicianId: string | null; completed: boolean };

const completeBatched = batchedStatement<CompleteRequest, CompleteRow>(
  (requests) =>
    routingQuery<CompleteRow>(completeStatement, [
      requests.map((r) => r.appointmentId),
      requests.map((r) => r.clinicianId),
      requests.map((r) => sqlTime(r.at)),
    ]),
  { key: (r) => r.appointmentId },
);

/** Ends the consult: the task is completed and the clinician goes into wrap-up. */
export async function completeTask(principal: Principal, appointmentId: string, now = new Date()) {
  const staff = requireClinician(principal);
  const row = await once(() => completeBatched({ appointmentId, clinicianId: staff.id, at: now }));
  if (!row.assignedClinicianId) throw conflict('This consult is not in progress', 'notInProgress');
  if (!row.completed) throw forbidden('Only the clinician who took this consult can end it');
  return { completed: true };
}

// ------------------------------------------------------------------------------------------------
// The sweeper: each step is one statement (or two in one transaction) over a batch, every row
// conditional, so several sweepers at once are harmless.

const SWEEP_BATCH = 500;

// Unanswered offers: the clinician is marked not responding first (which keeps rounds from claiming
// them), the offers time out and their tasks go back in line.
const timeOutOffers: RoutingStatement = {
  name: 'routing.sweep.timeOut',
  text: `
    WITH expired AS (
      SELECT o.id, o."taskId", o."clinicianId" FROM "Offer" o
      WHERE o.state = 'PENDING' AND o."expiresAt" <= $1::timestamp(3)
      ORDER BY o."expiresAt" LIMIT ${SWEEP_BATCH}
      FOR UPDATE SKIP LOCKED
    ), unresponsive AS (
      UPDATE "ClinicianPresence" p SET state = 'NOT_RESPONDING', "updatedAt" = $1::timestamp(3)
      WHERE p."userId" IN (SELECT "clinicianId" FROM expired) AND p.state = 'AVAILABLE'
      RETURNING p."userId"
    ), timedOut AS (
      UPDATE "Offer" o SET state = 'TIMED_OUT', "respondedAt" = $1::timestamp(3) FROM expired WHERE o.id = expired.id RETURNING o."clinicianId"
    ), returned AS (
      UPDATE "Task" t SET state = 'WAITING' FROM expired WHERE t.id = expired."taskId" AND t.state = 'OFFERED'
      RETURNING t.id, t."clinicId", t."appointmentId", expired."clinicianId"
    )
    SELECT r."clinicId", r."clinicianId",
           ${notifySql('r."clinicId"', [`'clinician:' || r."clinicianId"`, `'appointment:' || r."appointmentId"`])} AS notified
    FROM returned r`,
};

/** The other pending offers of clinicians who just became unresponsive (capacity above one) go back too. */
const rescindOffersOfMany: RoutingStatement = {
  name: 'routing.sweep.rescindOf',
  text: `
    WITH rescinded AS (
      UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = $2::timestamp(3)
      WHERE "clinicianId" = ANY($1::text[]) AND state = 'PENDING'
      RETURNING "taskId", "clinicianId"
    ), returned AS (
      UPDATE "Task" t SET state = 'WAITING' FROM rescinded WHERE t.id = rescinded."taskId" AND t.state = 'OFFERED'
      RETURNING t."clinicId", t."appointmentId", rescinded."clinicianId"
    )
    SELECT r."clinicId", ${notifySql('r."clinicId"', [`'clinician:' || r."clinicianId"`, `'appointment:' || r."appointmentId"`])} AS notified
    FROM returned r`,
};

// Patients not heard from within the grace period: the tasks first (so no round can offer them in
// between), then their pending offers, in one transaction.
const abandonSilent: RoutingStatement = {
  name: 'routing.sweep.abandon',
  text: `
    UPDATE "Task" t SET state = 'ABANDONED', "abandonedAt" = $1::timestamp(3), "endReason" = 'disconnected'
    WHERE t.id IN (
      SELECT id FROM "Task"
      WHERE state IN ('WAITING', 'OFFERED') AND "lastSeenAt" < $2::timestamp(3)
      LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)
    AND t.state IN ('WAITING', 'OFFERED') AND t."lastSeenAt" < $2::timestamp(3)
    RETURNING t.id, t."clinicId", t."appointmentId"`,
};

const rescindOffersOfTasks: RoutingStatement = {
  name: 'routing.sweep.rescindFor',
  text: `
    WITH rescinded AS (
      UPDATE "Offer" o SET state = 'RESCINDED', "respondedAt" = $2::timestamp(3)
      WHERE o."taskId" = ANY($1::text[]) AND o.state = 'PENDING'
      RETURNING o."clinicianId", o."taskId"
    ), gone AS (
      SELECT t.id, t."clinicId", t."appointmentId", r."clinicianId"
      FROM "Task" t LEFT JOIN rescinded r ON r."taskId" = t.id WHERE t.id = ANY($1::text[])
    )
    SELECT ${notifySql('gone."clinicId"', [`'clinician:' || gone."clinicianId"`, `'appointment:' || gone."appointmentId"`])} AS notified FROM gone`,
};

const overflowTasks: RoutingStatement = {
  name: 'routing.sweep.overflow',
  text: `
    WITH moved AS (
      UPDATE "Task" t SET "queueId" = q."overflowQueueId", "overflowedAt" = $1::timestamp(3)
      FROM "Queue" q
      WHERE q.id = t."queueId" AND t.id IN (
        SELECT t2.id FROM "Task" t2 JOIN "Queue" q2 ON q2.id = t2."queueId"
        WHERE t2.state = 'WAITING' AND q2."overflowQueueId" IS NOT NULL AND q2."overflowAfterSeconds" IS NOT NULL
          AND t2."enqueuedAt" < $1::timestamp(3) - make_interval(secs => q2."overflowAfterSeconds")
        LIMIT ${SWEEP_BATCH} FOR UPDATE OF t2 SKIP LOCKED)
      AND t.state = 'WAITING' AND q."overflowQueueId" IS NOT NULL
      RETURNING t."clinicId", t."appointmentId"
    )
    SELECT m."clinicId", ${notifySql('m."clinicId"', [`'appointment:' || m."appointmentId"`])} AS notified FROM moved m`,
};

const cancelOverdue: RoutingStatement = {
  name: 'routing.sweep.maxWait',
  text: `
    WITH cancelled AS (
      UPDATE "Task" t SET state = 'CANCELLED', "cancelledAt" = $1::timestamp(3), "endReason" = 'maxWait'
      WHERE t.id IN (
        SELECT t2.id FROM "Task" t2 JOIN "Queue" q ON q.id = t2."queueId"
        WHERE t2.state = 'WAITING' AND q."maxWaitSeconds" IS NOT NULL
          AND t2."enqueuedAt" < $1::timestamp(3) - make_interval(secs => q."maxWaitSeconds")
        LIMIT ${SWEEP_BATCH} FOR UPDATE OF t2 SKIP LOCKED)
      AND t.state = 'WAITING'
      RETURNING t."clinicId", t."appointmentId"
    )
    SELECT c."clinicId", ${notifySql('c."clinicId"', [`'appointment:' || c."appointmentId"`])} AS notified FROM cancelled c`,
};

const endWrapUps: RoutingStatement = {
  name: 'routing.sweep.wrapUp',
  text: `
    WITH ready AS (
      UPDATE "ClinicianPresence" p SET state = 'AVAILABLE', "wrapUpUntil" = NULL, "idleSince" = $1::timestamp(3), "updatedAt" = $1::timestamp(3)
      WHERE p.state = 'WRAP_UP' AND p."wrapUpUntil" <= $1::timestamp(3)
      RETURNING p."userId", p."clinicId"
    )
    SELECT r."clinicId", ${notifySql('r."clinicId"', [`'clinician:' || r."userId"`])} AS notified FROM ready r`,
};

// Preferred-clinician windows widen and priorities age with time alone, so clinics with a free
// clinician and a waiting task get a round even when nothing else happened. Starts from the (few)
// available clinicians rather than the (many) waiting tasks.
const clinicsToDispatch: RoutingStatement = {
  name: 'routing.sweep.clinics',
  text: `
    SELECT DISTINCT p."clinicId" FROM "ClinicianPresence" p
    WHERE p.state = 'AVAILABLE'
      AND p.capacity > (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = p."userId" AND o.state = 'PENDING')
                     + (SELECT count(*) FROM "Task" t WHERE t."assignedClinicianId" = p."userId" AND t.state = 'ASSIGNED')
      AND EXISTS (SELECT 1 FROM "Task" t WHERE t."clinicId" = p."clinicId" AND t.state = 'WAITING')`,
};

/**
 * Time-driven changes, safe to run in every web process at once: each step is a conditional update.
 * Offers past their expiry time out (the clinician becomes not-responding); people not heard from
 * within the grace period are abandoned; overdue tasks overflow; wrap-up ends.
 */
export async function sweep(now = new Date()) {
  const at = sqlTime(now);
  const touched = new Set<string>();

  const timedOut = await inRoutingTransaction(async (client) => {
    const rows = await routingQuery<{ clinicId: string; clinicianId: string }>(timeOutOffers, [at], client);
    const clinicians = [...new Set(rows.map((r) => r.clinicianId))];
    if (clinicians.length > 0) await routingQuery(rescindOffersOfMany, [clinicians, at], client);
    return rows;
  });
  for (const row of timedOut) touched.add(row.clinicId);

  const graceStart = sqlTime(new Date(now.getTime() - RECONNECT_GRACE_SECONDS * 1000));
  const abandoned = await inRoutingTransaction(async (client: Queryable) => {
    const rows = await routingQuery<{ id: string; clinicId: string }>(abandonSilent, [at, graceStart], client);
    if (rows.length > 0) await routingQuery(rescindOffersOfTasks, [rows.map((r) => r.id), at], client);
    return rows;
  });
  for (const row of abandoned) touched.add(row.clinicId);

  const overflowed = await routingQuery<{ clinicId: string }>(overflowTasks, [at]);
  for (const row of overflowed) touched.add(row.clinicId);
  const cancelled = await routingQuery<{ clinicId: string }>(cancelOverdue, [at]);
  for (const row of cancelled) touched.add(row.clinicId);
  const wrapped = await routingQuery<{ clinicId: string }>(endWrapUps, [at]);
  for (const row of wrapped) touched.add(row.clinicId);

  for (const { clinicId } of await routingQuery<{ clinicId: string }>(clinicsToDispatch, [])) touched.add(clinicId);
  for (const clinicId of touched) await dispatchClinic(clinicId, now);
  return { timedOut: timedOut.length, abandoned: abandoned.length, overflowed: overflowed.length, clinics: touched.size };
}

/** How many statements the grouped accepts, completions and becoming available took (benchmarks and tests). */
export function groupedStatementStats() {
  return { accept: acceptBatched.stats(), complete: completeBatched.stats(), becomeAvailable: becomeAvailableStats() };
}
