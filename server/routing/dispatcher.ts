import { randomUUID } from 'node:crypto';
import { conflict } from '@/server/errors';
import type { DbTx } from '@/server/db';
import { DECLINE_COOLDOWN_SECONDS } from './routing-config';
import { ownPartsSql, ROUTING_CHANNEL, routingPayloadSql } from './routing-events';
import { OFFER_CONTEXT_JOINS_SQL, offerJsonSql, presenceJsonSql } from './desk-json';
import { routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { matchTasks, type FreeClinician, type Match, type QueueRules } from './matching';

/** Waiting tasks first read per free clinician in one round (room for skipped, reserved tasks). */
const TASKS_PER_FREE_CLINICIAN = 8;
/** A round with clinicians left free reads further back, up to this many tasks per free clinician. */
const MAX_TASKS_PER_FREE_CLINICIAN = 512;
/** Becoming available runs again this often at most when a concurrent change of the clinician won. */
const BECOME_AVAILABLE_ATTEMPTS = 5;
/** Waiting tasks a clinician who becomes available looks through for one they may take. */
const TASKS_FOR_ONE_CLINICIAN = 16;
/** A round whose offers lost a race (another round, a clinician going offline) reads again, this often at most. */
const ROUND_ATTEMPTS = 3;

const lockKey = (clinicId: string) => `routing:${clinicId}`;

/**
 * Changes that end a task or take a clinician out of routing in several statements (leaving, going
 * offline, a visit cancelled or moved) hold this exclusive lock; a dispatch round holds the shared
 * one while it writes its offers, so it cannot commit in between those statements. Rounds do not
 * exclude each other: their writes are guarded row by row (see writeOffers).
 */
export async function lockClinicRouting(tx: DbTx, clinicId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lockKey(clinicId)}))`;
}

type FreeRow = { id: string; skills: string[] | null; idleSince: string; version: string; freeSlots: number };
type TaskRow = {
  id: string;
  queueId: string;
  priority: number;
  enqueuedAt: string;
  requiredSkills: string[] | null;
  preferredClinicianId: string | null;
  declinedBy: string[] | null;
  queueSkills: string[] | null;
  preferredClinicianSeconds: number;
  agingSecondsPerPriority: number;
  offerTimeoutSeconds: number;
};

/** json_agg renders timestamp(3) without a zone; the columns hold UTC. */
const utc = (value: string) => new Date(`${value}Z`);

// The first `limit` waiting tasks of the clinic in matching order (priority with aging), as the CTE
// "head" (with its helper "grp"), each with its queue's rules. Within one (queue, priority) the order
// is plain first-come, so the partial index "Task_waiting_order_idx" yields each group's head without
// reading the whole queue: the groups are found by a loose index scan, the heads merged by score.
// Sorting every waiting task of the clinic instead cost tens of milliseconds at 10,000 waiting.
const waitingHeadSql = (clinic: string, limit: string) => `
    grp AS MATERIALIZED (
      WITH RECURSIVE g AS (
        (SELECT t."queueId", t.priority FROM "Task" t
         WHERE t."clinicId" = ${clinic} AND t.state = 'WAITING' AND ${limit} > 0
         ORDER BY t."queueId", t.priority LIMIT 1)
        UNION ALL
        SELECT nxt."queueId", nxt.priority FROM g CROSS JOIN LATERAL (
          SELECT t."queueId", t.priority FROM "Task" t
          WHERE t."clinicId" = ${clinic} AND t.state = 'WAITING' AND (t."queueId", t.priority) > (g."queueId", g.priority)
          ORDER BY t."queueId", t.priority LIMIT 1) nxt
      )
      SELECT * FROM g
    ), head AS (
      SELECT w.*, q."requiredSkills" AS "queueSkills", q."preferredClinicianSeconds", q."agingSecondsPerPriority",
             q."offerTimeoutSeconds", w."enqueuedAt" - make_interval(secs => w.priority * q."agingSecondsPerPriority") AS score
      FROM grp JOIN "Queue" q ON q.id = grp."queueId"
      CROSS JOIN LATERAL (
        SELECT t.id, t."queueId", t.priority, t."enqueuedAt", t."requiredSkills", t."preferredClinicianId" FROM "Task" t
        WHERE t."clinicId" = ${clinic} AND t.state = 'WAITING' AND t."queueId" = grp."queueId" AND t.priority = grp.priority
        ORDER BY t."enqueuedAt", t.id LIMIT ${limit}) w
      ORDER BY score, w."enqueuedAt", w.id
      LIMIT ${limit}
    )`;

/** A clinician's free slots: capacity less pending offers and consults. `p`: their presence row. */
const freeSlotsSql = (p: string) => `(${p}.capacity
    - (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = ${p}."userId" AND o.state = 'PENDING')
    - (SELECT count(*) FROM "Task" t WHERE t."assignedClinicianId" = ${p}."userId" AND t.state = 'ASSIGNED'))::int`;

// One statement: the clinic's free clinicians (with their presence row's version, see writeOffers)
// and the first (free slots x $3) waiting tasks in matching order, with their
// queue's rules and who declined them recently.
const readRound = {
  name: 'routing.readRound',
  text: `
    WITH free AS (
      SELECT p."userId" AS id, p.skills, p."idleSince", p.xmin::text AS version, ${freeSlotsSql('p')} AS "freeSlots"
      FROM "ClinicianPresence" p
      WHERE p."clinicId" = $1 AND p.state = 'AVAILABLE'
    ), wanted AS (
      SELECT (coalesce(sum("freeSlots") FILTER (WHERE "freeSlots" > 0), 0) * $3::int)::int AS n FROM free
    ), ${waitingHeadSql('$1', '(SELECT n FROM wanted)')}
    SELECT
      (SELECT coalesce(json_agg(free), '[]') FROM free WHERE "freeSlots" > 0) AS clinicians,
      (SELECT coalesce(json_agg(json_build_object(
          'id', head.id, 'queueId', head."queueId", 'priority', head.priority, 'enqueuedAt', head."enqueuedAt",
          'requiredSkills', head."requiredSkills", 'preferredClinicianId', head."preferredClinicianId",
          'queueSkills', head."queueSkills", 'preferredClinicianSeconds', head."preferredClinicianSeconds",
          'agingSecondsPerPriority', head."agingSecondsPerPriority", 'offerTimeoutSeconds', head."offerTimeoutSeconds",
          'declinedBy', ARRAY(SELECT o."clinicianId" FROM "Offer" o
                              WHERE o."taskId" = head.id AND o.state = 'DECLINED' AND o."respondedAt" > $2::timestamp(3)))), '[]')
       FROM head) AS tasks`,
};

// One statement, and every row it writes is guarded, so rounds need no lock among themselves:
//  - the shared clinic lock comes first (changes holding the exclusive one finish before this starts);
//  - a clinician is claimed only if their presence row is the very version the round read (xmin) and
//    still AVAILABLE. Whatever raises a clinician's load (an offer, from a round) updates that row in
//    the same statement, so an unchanged row means the free slots the round counted are still free;
//  - a task is offered only if it is still WAITING, and gets its offer only if its clinician was claimed.
// PostgreSQL re-checks these conditions on the newest row version when a concurrent change commits
// first. The partial unique index "Offer_one_pending_per_task" backs up the one-offer-per-task rule.
// Each offer's notification carries it for the clinician's desk when they hold one task at a time
// (with room for more, an earlier offer may still be the one shown: their desk reads again).
const writeOffers: RoutingStatement = {
  name: 'routing.writeOffers',
  softState: true,
  text: `
    WITH lock AS MATERIALIZED (
      SELECT pg_advisory_xact_lock_shared(hashtext($1)) AS locked
    ), m AS MATERIALIZED (
      SELECT m.* FROM lock,
        unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS m(id, "taskId", "clinicianId", version, "timeoutSeconds")
    ), claimed AS (
      UPDATE "ClinicianPresence" p SET "updatedAt" = $8::timestamp(3)
      FROM (SELECT DISTINCT "clinicianId", version FROM m) c
      WHERE p."userId" = c."clinicianId" AND p.xmin::text = c.version AND p.state = 'AVAILABLE'
      RETURNING p."userId", p.capacity
    ), offered AS (
      UPDATE "Task" t SET state = 'OFFERED'
      FROM m JOIN claimed ON claimed."userId" = m."clinicianId"
      WHERE t.id = m."taskId" AND t.state = 'WAITING'
      RETURNING t.id, t."appointmentId"
    ), inserted AS (
      INSERT INTO "Offer" (id, "taskId", "clinicianId", state, "createdAt", "expiresAt")
      SELECT m.id, m."taskId", m."clinicianId", 'PENDING', $8::timestamp(3), $8::timestamp(3) + make_interval(secs => m."timeoutSeconds")
      FROM m JOIN offered ON offered.id = m."taskId"
      RETURNING id, "taskId", "clinicianId", "createdAt", "expiresAt"
    )
    SELECT i."taskId", i."clinicianId",
           pg_notify('${ROUTING_CHANNEL}', ${routingPayloadSql(
             '$2::text',
             [`'clinician:' || i."clinicianId"`, `'appointment:' || offered."appointmentId"`],
             `CASE WHEN claimed.capacity = 1 THEN ${ownPartsSql('i."clinicianId"', { offer: offerJsonSql('i') })} END`,
           )})
    FROM inserted i JOIN offered ON offered.id = i."taskId" JOIN claimed ON claimed."userId" = i."clinicianId"
    JOIN "Task" t ON t.id = i."taskId"
    ${OFFER_CONTEXT_JOINS_SQL}`,
};

// Becoming available, in one statement (no round trip for a round in the common case). The presence
// becomes AVAILABLE (a clinician already available keeps their idle time; one with a consult open is
// refused). Then, when no other clinician of the clinic is free, this clinician is the only one a
// round could choose, so the statement makes the round's choice itself: the first waiting task in
// matching order that they may take (skills, preferred-clinician hold, no recent decline), locked
// with SKIP LOCKED so that concurrent statements and rounds take different tasks, and offered in the
// same statement that changed the presence row (the rule rounds rely on, see writeOffers). When
// another clinician is free (who may be preferred or idle longer) or nothing fits among the first
// TASKS_FOR_ONE_CLINICIAN, no offer is made here and the caller runs a round.
// Everything the statement decides comes from its snapshot, so it changes the presence row only if
// that row is still the version the snapshot saw: a change committed in between (an accept making the
// clinician busy, a round's offer, going offline) makes it change nothing and report "raced", and it
// runs again on a fresh snapshot.
// The notification carries the new presence and, when made, the offer.
const becomeAvailableStatement: RoutingStatement = {
  name: 'routing.becomeAvailable',
  softState: true,
  text: `
    WITH busy AS (
      SELECT EXISTS (SELECT 1 FROM "Task" WHERE "assignedClinicianId" = $1 AND state = 'ASSIGNED') AS busy
    ), lock AS MATERIALIZED (
      SELECT pg_advisory_xact_lock_shared(hashtext($4)) AS locked FROM busy WHERE NOT busy.busy
    ), seen AS (
      SELECT xmin::text AS version FROM "ClinicianPresence" WHERE "userId" = $1
    ), presence AS (
      INSERT INTO "ClinicianPresence" ("userId", "clinicId", state, "idleSince", "updatedAt")
      SELECT $1, $2, 'AVAILABLE', $3::timestamp(3), $3::timestamp(3) FROM lock
      ON CONFLICT ("userId") DO UPDATE SET
        state = 'AVAILABLE',
        "wrapUpUntil" = NULL,
        "idleSince" = CASE WHEN "ClinicianPresence".state = 'AVAILABLE' THEN "ClinicianPresence"."idleSince" ELSE EXCLUDED."idleSince" END,
        "updatedAt" = EXCLUDED."updatedAt"
      WHERE "ClinicianPresence".xmin::text = (SELECT version FROM seen)
      RETURNING state, "idleSince", "wrapUpUntil", capacity, coalesce(skills, '{}') AS skills
    ), mine AS MATERIALIZED (
      SELECT pr.skills, pr.capacity - (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = $1 AND o.state = 'PENDING') AS free
      FROM presence pr
      WHERE NOT EXISTS (
        SELECT 1 FROM "ClinicianPresence" p
        WHERE p."clinicId" = $2 AND p.state = 'AVAILABLE' AND p."userId" <> $1 AND ${freeSlotsSql('p')} > 0)
    ), ${waitingHeadSql('$2', `(SELECT CASE WHEN free > 0 THEN ${TASKS_FOR_ONE_CLINICIAN} ELSE 0 END FROM mine)`)},
    pick AS (
      SELECT t.id, t."appointmentId", head."offerTimeoutSeconds"
      FROM head JOIN "Task" t ON t.id = head.id CROSS JOIN mine
      WHERE t.state = 'WAITING'
        AND coalesce(head."queueSkills", '{}') <@ mine.skills AND coalesce(head."requiredSkills", '{}') <@ mine.skills
        AND (head."preferredClinicianId" IS NULL OR head."preferredClinicianId" = $1 OR head."preferredClinicianSeconds" <= 0
             OR head."enqueuedAt" <= $3::timestamp(3) - make_interval(secs => head."preferredClinicianSeconds"))
        AND NOT EXISTS (SELECT 1 FROM "Offer" o
                        WHERE o."taskId" = t.id AND o."clinicianId" = $1 AND o.state = 'DECLINED' AND o."respondedAt" > $5::timestamp(3))
      ORDER BY head.score, head."enqueuedAt", head.id
      LIMIT 1
      FOR UPDATE OF t SKIP LOCKED
    ), offered AS (
      UPDATE "Task" t SET state = 'OFFERED' FROM pick WHERE t.id = pick.id AND t.state = 'WAITING' RETURNING t.id
    ), inserted AS (
      INSERT INTO "Offer" (id, "taskId", "clinicianId", state, "createdAt", "expiresAt")
      SELECT $6, pick.id, $1, 'PENDING', $3::timestamp(3), $3::timestamp(3) + make_interval(secs => pick."offerTimeoutSeconds")
      FROM pick JOIN offered ON offered.id = pick.id
      RETURNING id, "taskId", "clinicianId", "createdAt", "expiresAt"
    )
    SELECT busy.busy, NOT busy.busy AND NOT EXISTS (SELECT 1 FROM presence) AS raced, i.id AS "offerId",
           (SELECT pg_notify('${ROUTING_CHANNEL}', ${routingPayloadSql(
             '$2::text',
             [`'clinician:' || $1`, `'appointment:' || t."appointmentId"`],
             `CASE WHEN i.id IS NOT NULL AND pr.capacity = 1
                   THEN ${ownPartsSql('$1', { presence: presenceJsonSql('pr'), offer: offerJsonSql('i') })}
                   WHEN i.id IS NULL THEN ${ownPartsSql('$1', { presence: presenceJsonSql('pr') })} END`,
           )}) FROM presence pr) AS notified
    FROM busy
    LEFT JOIN inserted i ON true LEFT JOIN "Task" t ON t.id = i."taskId"
    ${OFFER_CONTEXT_JOINS_SQL}`,
};

/**
 * The clinician becomes available and, when they are the clinic's only free clinician, is offered
 * the task a round would give them, in one statement. `offerId` is null when no offer was made
 * there: the caller then runs a round (which also covers every case the statement leaves to it).
 */
export async function becomeAvailable(clinicianId: string, clinicId: string, now: Date): Promise<{ busy: boolean; offerId: string | null }> {
  const cooldownStart = new Date(now.getTime() - DECLINE_COOLDOWN_SECONDS * 1000);
  for (let attempt = 0; attempt < BECOME_AVAILABLE_ATTEMPTS; attempt++) {
    const [row] = await routingQuery<{ busy: boolean; raced: boolean; offerId: string | null }>(becomeAvailableStatement, [
      clinicianId,
      clinicId,
      sqlTime(now),
      lockKey(clinicId),
      sqlTime(cooldownStart),
      randomUUID(),
    ]);
    if (!row?.raced) return { busy: row?.busy ?? false, offerId: row?.offerId ?? null };
  }
  throw conflict('Your status changed at the same moment; please try again', 'retry');
}

// Rounds of one clinic asked for in this process while one is already waiting to start are the same
// round: it starts after all of their changes committed, so it sees them all. This saves a round per
// caller when many clinicians become available at once.
type PendingRound = { now: Date; result: Promise<Match[]> };
const rounds = new Map<string, { running: Promise<unknown> | null; pending: PendingRound | null }>();

/**
 * One dispatch round for a clinic: offers waiting tasks to free clinicians. In this process rounds of
 * a clinic run one at a time; rounds of other processes may run at the same time (their writes are
 * guarded). Resolves once a round that started after this call has committed (with that round's
 * matches, which may include other callers' ones).
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
  const made: Match[] = [];
  const cooldownStart = sqlTime(new Date(now.getTime() - DECLINE_COOLDOWN_SECONDS * 1000));
  let perSlot = TASKS_PER_FREE_CLINICIAN;
  let lostRaces = 0;
  while (lostRaces < ROUND_ATTEMPTS) {
    const [input] = await routingQuery<{ clinicians: FreeRow[]; tasks: TaskRow[] }>(readRound, [clinicId, cooldownStart, perSlot]);
    const free = input?.clinicians ?? [];
    const rows = input?.tasks ?? [];
    if (free.length === 0 || rows.length === 0) break;

    const clinicians: FreeClinician[] = free.map((c) => ({
      id: c.id,
      skills: c.skills ?? [],
      idleSince: utc(c.idleSince),
      freeSlots: c.freeSlots,
    }));
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
        enqueuedAt: utc(r.enqueuedAt),
        requiredSkills: r.requiredSkills ?? [],
        preferredClinicianId: r.preferredClinicianId,
        declinedBy: r.declinedBy ?? [],
      })),
      clinicians,
      queues: [...queues.values()],
      now,
    });
    // Free slots left over although the read stopped at its limit: the tasks those clinicians may
    // take (skills, holds) may lie further back in line.
    const slots = clinicians.reduce((sum, c) => sum + c.freeSlots, 0);
    const lookFurther = matches.length < slots && rows.length >= slots * perSlot && perSlot < MAX_TASKS_PER_FREE_CLINICIAN;

    if (matches.length > 0) {
      const versionOf = new Map(free.map((c) => [c.id, c.version]));
      const queueOf = new Map(rows.map((r) => [r.id, r.queueId]));
      const offered = await routingQuery<Match>(writeOffers, [
        lockKey(clinicId),
        clinicId,
        matches.map(() => randomUUID()),
        matches.map((m) => m.taskId),
        matches.map((m) => m.clinicianId),
        matches.map((m) => versionOf.get(m.clinicianId)!),
        matches.map((m) => queues.get(queueOf.get(m.taskId)!)?.offerTimeoutSeconds ?? 20),
        sqlTime(now),
      ]);
      made.push(...offered.map(({ taskId, clinicianId }) => ({ taskId, clinicianId })));
      // A match that did not hold lost a race (another round, a clinician going offline): read again
      // and match what is left.
      if (offered.length < matches.length) {
        lostRaces++;
        continue;
      }
    }
    if (!lookFurther) break;
    perSlot *= 8;
  }
  return made;
}
