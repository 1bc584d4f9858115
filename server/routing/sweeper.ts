// The sweeper: time-driven changes. Each step is one statement (or two in one transaction) over a batch,
// every row conditional, so several sweepers at once (one per web process) are harmless.
import { RECONNECT_GRACE_SECONDS } from './routing-config';
import { dispatchClinic } from './dispatcher';
import { notifySql } from './routing-events';
import { inRoutingTransaction, routingQuery, sqlTime, type Queryable, type RoutingStatement } from './routing-sql';

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
