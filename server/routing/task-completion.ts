// Ending a consult's task: the task and the visit completed, the clinician into wrap-up.
import { forbidden, conflict } from '@/server/errors';
import { requireCareStaff } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { notifySql, ownPartsSql } from './routing-events';
import { presenceJsonSql } from './desk-json';
import { retryOnceOnDeadlock, routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { batchedStatement } from './statement-batch';

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
             (SELECT ${notifySql(
               'mine."clinicId"',
               [`'clinician:' || mine.caller`, `'appointment:' || mine."appointmentId"`],
               `CASE
                WHEN wrapUp.capacity = 1 THEN ${ownPartsSql('mine.caller', { presence: presenceJsonSql('wrapUp'), current: 'NULL' })}
                WHEN wrapUp.capacity > 1 THEN ${ownPartsSql('mine.caller', { presence: presenceJsonSql('wrapUp') })} END`,
             )}
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
  const staff = requireCareStaff(principal);
  const row = await retryOnceOnDeadlock(() => completeBatched({ appointmentId, clinicianId: staff.id, at: now }));
  if (!row.assignedClinicianId) throw conflict('This consult is not in progress', 'notInProgress');
  if (!row.completed) throw forbidden('Only the clinician who took this consult can end it');
  return { completed: true };
}

export const completeStats = () => completeBatched.stats();
