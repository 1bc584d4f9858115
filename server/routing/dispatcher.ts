import { randomUUID } from 'node:crypto';
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
type TaskRow = Omit<WaitingTask, 'declinedBy'> & {
  declinedBy: string[] | null;
  queueSkills: string[] | null;
  preferredClinicianSeconds: number;
  agingSecondsPerPriority: number;
  offerTimeoutSeconds: number;
};

// Rounds of one clinic asked for in this process while one is already waiting to start are the same
// round: it starts after all of their changes committed, so it sees them all. This saves a locked
// transaction per caller when many clinicians become available at once.
type PendingRound = { now: Date; result: Promise<Match[]> };
const rounds = new Map<string, { running: Promise<unknown> | null; pending: PendingRound | null }>();

/**
 * One dispatch round for a clinic: offers waiting tasks to free clinicians. Rounds of one clinic run
 * one at a time (advisory lock), whichever web process runs them. Resolves once a round that started
 * after this call has committed (with that round's matches, which may include other callers' ones).
 */
export function dispatchClinic(clinicId: string, now = new Date()): Promise<Match[]> {
  let clinic = rounds.get(clinicId);
  if (!clinic) {
    clinic = { running: null, pending: null };
    rounds.set(clinicId, clinic);
  }
  const state = clinic;
  if (state.pending) {
    // The round runs at the latest of its callers' clocks (all of them are in the past by then).
    if (now > state.pending.now) state.pending.now = now;
    return state.pending.result;
  }
  const round: PendingRound = { now, result: Promise.resolve([]) };
  const previous = state.running ?? Promise.resolve();
  round.result = previous
    .catch(() => {})
    .then(() => {
      state.pending = null;
      const run = dispatchRound(clinicId, round.now);
      state.running = run;
      return run.finally(() => {
        if (state.running !== run) return;
        state.running = null;
        if (!state.pending) rounds.delete(clinicId);
      });
    });
  state.pending = round;
  return round.result;
}

async function dispatchRound(clinicId: string, now: Date): Promise<Match[]> {
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
    const limit = slots * TASKS_PER_FREE_CLINICIAN;
    const cooldownStart = new Date(now.getTime() - DECLINE_COOLDOWN_SECONDS * 1000);

    // The first `limit` waiting tasks in matching order (priority with aging), with their queue's rules
    // and who declined them recently. Within one (queue, priority) the order is plain first-come, so
    // the partial index "Task_waiting_order_idx" yields each group's head without reading the whole
    // queue: the groups are found by a loose index scan, the heads merged by score. Sorting every
    // waiting task of the clinic instead cost tens of milliseconds per round at 10,000 waiting.
    const rows = await tx.$queryRaw<TaskRow[]>`
      WITH RECURSIVE grp AS (
        (SELECT t."queueId", t.priority FROM "Task" t
         WHERE t."clinicId" = ${clinicId} AND t.state = 'WAITING'
         ORDER BY t."queueId", t.priority LIMIT 1)
        UNION ALL
        SELECT nxt."queueId", nxt.priority FROM grp CROSS JOIN LATERAL (
          SELECT t."queueId", t.priority FROM "Task" t
          WHERE t."clinicId" = ${clinicId} AND t.state = 'WAITING'
            AND (t."queueId", t.priority) > (grp."queueId", grp.priority)
          ORDER BY t."queueId", t.priority LIMIT 1) nxt
      ), head AS (
        SELECT w.*, q."requiredSkills" AS "queueSkills", q."preferredClinicianSeconds", q."agingSecondsPerPriority",
               q."offerTimeoutSeconds"
        FROM grp JOIN "Queue" q ON q.id = grp."queueId"
        CROSS JOIN LATERAL (
          SELECT t.id, t."queueId", t.priority, t."enqueuedAt", t."requiredSkills", t."preferredClinicianId" FROM "Task" t
          WHERE t."clinicId" = ${clinicId} AND t.state = 'WAITING' AND t."queueId" = grp."queueId" AND t.priority = grp.priority
          ORDER BY t."enqueuedAt", t.id LIMIT ${limit}) w
        ORDER BY w."enqueuedAt" - make_interval(secs => w.priority * q."agingSecondsPerPriority"), w."enqueuedAt", w.id
        LIMIT ${limit}
      )
      SELECT head.*,
             ARRAY(SELECT o."clinicianId" FROM "Offer" o
                   WHERE o."taskId" = head.id AND o.state = 'DECLINED' AND o."respondedAt" > ${cooldownStart}::timestamp(3)) AS "declinedBy"
      FROM head`;
    if (rows.length === 0) return [];

    const queues = new Map<string, QueueRules & { offerTimeoutSeconds: number }>();
    for (const r of rows) {
      queues.set(r.queueId, {
        id: r.queueId,
        requiredSkills: r.queueSkills ?? [],
        preferredClinicianSeconds: r.preferredClinicianSeconds,
        agingSecondsPerPriority: r.agingSecondsPerPriority,
        offerTimeoutSeconds: r.offerTimeoutSeconds,
      });
    }
    const matches = matchTasks({
      tasks: rows.map((r) => ({
        id: r.id,
        queueId: r.queueId,
        priority: r.priority,
        enqueuedAt: r.enqueuedAt,
        requiredSkills: r.requiredSkills ?? [],
        preferredClinicianId: r.preferredClinicianId,
        declinedBy: r.declinedBy ?? [],
      })),
      clinicians,
      queues: [...queues.values()],
      now,
    });
    if (matches.length === 0) return [];

    // One statement: the tasks still waiting become offered, and only those get their offer (a task
    // abandoned by the sweeper meanwhile, which does not take the lock, gets none).
    const queueOf = new Map(rows.map((r) => [r.id, r.queueId]));
    const offered = await tx.$queryRaw<Match[]>`
      WITH m AS (
        SELECT * FROM unnest(${matches.map(() => randomUUID())}::text[], ${matches.map((m) => m.taskId)}::text[],
                             ${matches.map((m) => m.clinicianId)}::text[],
                             ${matches.map((m) => queues.get(queueOf.get(m.taskId)!)?.offerTimeoutSeconds ?? 20)}::int[])
          AS m(id, "taskId", "clinicianId", "timeoutSeconds")
      ), waiting AS (
        UPDATE "Task" t SET state = 'OFFERED' FROM m WHERE t.id = m."taskId" AND t.state = 'WAITING' RETURNING t.id
      )
      INSERT INTO "Offer" (id, "taskId", "clinicianId", state, "createdAt", "expiresAt")
      SELECT m.id, m."taskId", m."clinicianId", 'PENDING', ${now}::timestamp(3),
             ${now}::timestamp(3) + make_interval(secs => m."timeoutSeconds")
      FROM m JOIN waiting ON waiting.id = m."taskId"
      RETURNING "taskId", "clinicianId"`;
    if (offered.length === 0) return [];
    await publishRoutingChange(tx, clinicId);
    return offered;
  });
}
