// Answering an offer: accepting it (the task assigned, the clinician busy, the visit in progress) or declining it.
import { randomUUID } from 'node:crypto';
import { db } from '@/server/db';
import { conflict, forbidden, notFound, type ErrorReason } from '@/server/errors';
import { requireCareStaff } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { dispatchClinic } from './dispatcher';
import { notifySql, ownPartsSql } from './routing-events';
import { currentJsonSql, presenceJsonSql } from './desk-json';
import { retryOnceOnDeadlock, routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { batchedStatement } from './statement-batch';

/** A specialist request's task leads into the consult it is for (its appointmentId column stays free for the patient's own task). */
async function consultAppointmentOfTask(taskId: string): Promise<string | null> {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { consultAppointmentId: true } });
  return task?.consultAppointmentId ?? null;
}

/** Why an offer can no longer be answered, as the reason the desk shows. */
function closedOfferReason(state: string): ErrorReason {
  switch (state) {
    case 'ACCEPTED':
      return 'offerACCEPTED';
    case 'DECLINED':
      return 'offerDECLINED';
    case 'TIMED_OUT':
      return 'offerTIMED_OUT';
    default:
      return 'offerRESCINDED';
  }
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
           (SELECT ${notifySql(
             'target."clinicId"',
             [`'clinician:' || target."clinicianId"`, `'appointment:' || target."appointmentId"`],
             `CASE WHEN busy.capacity = 1 THEN ${ownPartsSql('target."clinicianId"', {
               presence: presenceJsonSql('busy'),
               offer: 'NULL',
               current: currentJsonSql('t'),
             })} END`,
           )}
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
  const staff = requireCareStaff(principal);
  const row = await retryOnceOnDeadlock(() => acceptBatched({ offerId, clinicianId: staff.id, at: now }));
  if (!row.clinicianId) throw notFound('This offer does not exist');
  if (row.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
  if (row.taskId) return { taskId: row.taskId, appointmentId: row.appointmentId ?? (await consultAppointmentOfTask(row.taskId)) };
  const [outcome] = await routingQuery<{ state: string; expired: boolean; taskOffered: boolean }>(offerOutcomeStatement, [offerId, sqlTime(now)]);
  if (outcome?.state === 'PENDING' && !outcome.expired && !outcome.taskOffered) {
    throw conflict('The patient is no longer waiting', 'offerRESCINDED');
  }
  const why = !outcome || outcome.state === 'PENDING' ? 'TIMED_OUT' : outcome.state;
  throw conflict(`This offer can no longer be accepted (${why.toLowerCase().replace('_', ' ')})`, closedOfferReason(why));
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
  const staff = requireCareStaff(principal);
  const [row] = await retryOnceOnDeadlock(() =>
    routingQuery<{ clinicianId: string; state: string; clinicId: string | null }>(declineStatement, [offerId, staff.id, sqlTime(now)]),
  );
  if (!row) throw notFound('This offer does not exist');
  if (row.clinicianId !== staff.id) throw forbidden('This offer was made to another clinician');
  if (!row.clinicId) throw conflict('This offer is no longer open', closedOfferReason(row.state));
  await dispatchClinic(row.clinicId, now);
  return { declined: true };
}

export const acceptStats = () => acceptBatched.stats();
