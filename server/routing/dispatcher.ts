import { randomUUID } from 'node:crypto';
import { conflict } from '@/server/errors';
import type { DbTx } from '@/server/db';
import { DECLINE_COOLDOWN_SECONDS } from './routing-config';
import { ownPartsSql, ROUTING_CHANNEL, routingPayloadSql } from './routing-events';
import { OFFER_CONTEXT_JOINS_SQL, offerJsonSql, presenceJsonSql } from './desk-json';
import { routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { matchTasks, type FreeClinician, type Match, type QueueRules } from './matching';
import { batchedStatement, type BatchedStatement, type BatchStats } from './statement-batch';

/** Waiting tasks first read per free clinician in one round (room for skipped, reserved tasks). */
const TASKS_PER_FREE_CLINICIAN = 8;
/** A round with clinicians left free reads further back, up to this many tasks per free clinician. */
const MAX_TASKS_PER_FREE_CLINICIAN = 512;
/** Becoming available runs again this often at most when a concurrent change of the clinician won. */
const BECOME_AVAILABLE_ATTEMPTS = 5;
/**
 * Waiting tasks a clinician who becomes available looks through for one they may take; a group
 * becoming available together looks through one more per further clinician.
 */
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

// Becoming available, in one statement for every clinician of the clinic whose request arrives in
// this process while the previous one is still running (see statement-batch.ts; each request is a
// row of "req"). Each presence becomes AVAILABLE (a clinician already available keeps their idle
// time; one with a consult open is refused). Then, when no clinician outside the group is free, the
// group are the only ones a round could choose, so the statement makes the round's choices itself
// (matching.ts): waiting tasks in matching order, each to the preferred clinician of the group when
// they may take it, otherwise to the one idle longest who may (skills, preferred-clinician hold, no
// recent decline), each clinician at most one. The chosen tasks are locked with SKIP LOCKED and
// offered in the same statement that changed the presence rows (the rule rounds rely on, see
// writeOffers). No offer is made here, and the callers run a round, for a clinician when someone
// outside the group is free (who may be preferred or idle longer), when nothing fits among the first
// tasks looked through (TASKS_FOR_ONE_CLINICIAN), when their task was just taken by a statement of another
// process, and for the whole group when one of them holds room for more than one more task (a round
// may give them several) or one of them raced.
// Everything the statement decides comes from its snapshot, so it changes a presence row only if
// that row is still the version the snapshot saw: a change committed in between (an accept making the
// clinician busy, a round's offer, going offline) makes it change nothing for them and report
// "raced", and their request runs again on a fresh snapshot.
// Each clinician's notification carries their new presence and, when made, their offer.
const becomeAvailableStatement: RoutingStatement = {
  name: 'routing.becomeAvailable',
  softState: true,
  text: `
    WITH req AS MATERIALIZED (
      SELECT * FROM unnest($1::text[], $2::timestamp(3)[], $3::text[]) WITH ORDINALITY AS r("clinicianId", at, "offerId", n)
    ), member AS MATERIALIZED (
      SELECT req.*,
             EXISTS (SELECT 1 FROM "Task" t WHERE t."assignedClinicianId" = req."clinicianId" AND t.state = 'ASSIGNED') AS busy,
             (SELECT p.xmin::text FROM "ClinicianPresence" p WHERE p."userId" = req."clinicianId") AS version
      FROM req
    ), lock AS MATERIALIZED (
      SELECT pg_advisory_xact_lock_shared(hashtext($5)) AS locked WHERE EXISTS (SELECT 1 FROM member WHERE NOT busy)
    ), presence AS (
      INSERT INTO "ClinicianPresence" ("userId", "clinicId", state, "idleSince", "updatedAt")
      SELECT m."clinicianId", $4, 'AVAILABLE', m.at, m.at FROM member m CROSS JOIN lock WHERE NOT m.busy
      ORDER BY m."clinicianId"
      ON CONFLICT ("userId") DO UPDATE SET
        state = 'AVAILABLE',
        "wrapUpUntil" = NULL,
        "idleSince" = CASE WHEN "ClinicianPresence".state = 'AVAILABLE' THEN "ClinicianPresence"."idleSince" ELSE EXCLUDED."idleSince" END,
        "updatedAt" = EXCLUDED."updatedAt"
      WHERE "ClinicianPresence".xmin::text = (SELECT version FROM member WHERE member."clinicianId" = EXCLUDED."userId")
      RETURNING "userId", state, "idleSince", "wrapUpUntil", capacity, coalesce(skills, '{}') AS skills
    ), slots AS MATERIALIZED (
      SELECT pr."userId" AS id, pr.skills, pr."idleSince", m.at,
             pr.capacity - (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = pr."userId" AND o.state = 'PENDING') AS free
      FROM presence pr JOIN member m ON m."clinicianId" = pr."userId"
    ), chooser AS MATERIALIZED (
      SELECT id, skills, "idleSince", at FROM slots
      WHERE free = 1
        AND (SELECT count(*) FROM slots) = (SELECT count(*) FROM member WHERE NOT busy)
        AND NOT EXISTS (SELECT 1 FROM slots WHERE free > 1)
        AND NOT EXISTS (
          SELECT 1 FROM "ClinicianPresence" p
          WHERE p."clinicId" = $4 AND p.state = 'AVAILABLE' AND p."userId" <> ALL ($1::text[]) AND ${freeSlotsSql('p')} > 0)
    ), declined AS MATERIALIZED (
      SELECT o."taskId", o."clinicianId" FROM "Offer" o JOIN chooser c ON c.id = o."clinicianId"
      WHERE o.state = 'DECLINED' AND o."respondedAt" > c.at - make_interval(secs => $6::int)
    ), ${waitingHeadSql('$4', `(SELECT CASE WHEN count(*) > 0 THEN count(*) + ${TASKS_FOR_ONE_CLINICIAN - 1} ELSE 0 END FROM chooser)`)},
    ranked AS MATERIALIZED (
      SELECT head.*, row_number() OVER (ORDER BY head.score, head."enqueuedAt", head.id) AS rank FROM head
    ), matched AS (
      WITH RECURSIVE step(rank, taken, "taskId", "clinicianId") AS (
        SELECT 0::bigint, '{}'::text[], NULL::text, NULL::text
        UNION ALL
        SELECT s.rank + 1, CASE WHEN pick.id IS NULL THEN s.taken ELSE s.taken || pick.id END, r.id, pick.id
        FROM step s JOIN ranked r ON r.rank = s.rank + 1
        LEFT JOIN LATERAL (
          SELECT c.id FROM chooser c
          WHERE c.id <> ALL (s.taken)
            AND coalesce(r."queueSkills", '{}') <@ c.skills AND coalesce(r."requiredSkills", '{}') <@ c.skills
            AND (r."preferredClinicianId" IS NULL OR r."preferredClinicianId" = c.id OR r."preferredClinicianSeconds" <= 0
                 OR r."enqueuedAt" <= c.at - make_interval(secs => r."preferredClinicianSeconds"))
            AND NOT EXISTS (SELECT 1 FROM declined d WHERE d."taskId" = r.id AND d."clinicianId" = c.id)
          ORDER BY (c.id = r."preferredClinicianId") IS TRUE DESC, c."idleSince", c.id COLLATE "C"
          LIMIT 1
        ) pick ON true
        WHERE cardinality(s.taken) < (SELECT count(*) FROM chooser)
      )
      SELECT "taskId", "clinicianId" FROM step WHERE "clinicianId" IS NOT NULL
    ), locked AS MATERIALIZED (
      SELECT t.id FROM "Task" t JOIN matched ON matched."taskId" = t.id
      WHERE t.state = 'WAITING'
      ORDER BY t.id
      FOR UPDATE OF t SKIP LOCKED
    ), offered AS (
      UPDATE "Task" t SET state = 'OFFERED' FROM locked WHERE t.id = locked.id AND t.state = 'WAITING' RETURNING t.id
    ), inserted AS (
      INSERT INTO "Offer" (id, "taskId", "clinicianId", state, "createdAt", "expiresAt")
      SELECT m."offerId", matched."taskId", matched."clinicianId", 'PENDING', m.at, m.at + make_interval(secs => r."offerTimeoutSeconds")
      FROM matched JOIN offered ON offered.id = matched."taskId"
      JOIN member m ON m."clinicianId" = matched."clinicianId" JOIN ranked r ON r.id = matched."taskId"
      RETURNING id, "taskId", "clinicianId", "createdAt", "expiresAt"
    )
    SELECT m.busy, NOT m.busy AND pr."userId" IS NULL AS raced, i.id AS "offerId",
           CASE WHEN pr."userId" IS NOT NULL THEN pg_notify('${ROUTING_CHANNEL}', ${routingPayloadSql(
             '$4::text',
             [`'clinician:' || m."clinicianId"`, `'appointment:' || t."appointmentId"`],
             `CASE WHEN i.id IS NOT NULL AND pr.capacity = 1
                   THEN ${ownPartsSql('m."clinicianId"', { presence: presenceJsonSql('pr'), offer: offerJsonSql('i') })}
                   WHEN i.id IS NULL THEN ${ownPartsSql('m."clinicianId"', { presence: presenceJsonSql('pr') })} END`,
           )}) END AS notified
    FROM member m
    LEFT JOIN presence pr ON pr."userId" = m."clinicianId"
    LEFT JOIN inserted i ON i."clinicianId" = m."clinicianId"
    LEFT JOIN "Task" t ON t.id = i."taskId"
    ${OFFER_CONTEXT_JOINS_SQL}
    ORDER BY m.n`,
};

export type AvailableRequest = { clinicianId: string; at: Date };
type AvailableRow = { busy: boolean; raced: boolean; offerId: string | null };

/** One statement for clinicians of one clinic becoming available together: one row per request, in order. */
export async function becomeAvailableTogether(clinicId: string, requests: AvailableRequest[]): Promise<AvailableRow[]> {
  const rows = await routingQuery<AvailableRow>(becomeAvailableStatement, [
    requests.map((r) => r.clinicianId),
    requests.map((r) => sqlTime(r.at)),
    requests.map(() => randomUUID()),
    clinicId,
    lockKey(clinicId),
    DECLINE_COOLDOWN_SECONDS,
  ]);
  return rows.map(({ busy, raced, offerId }) => ({ busy, raced, offerId }));
}

/** Requests of one clinic go together; those of other clinics never share a statement. */
const availableByClinic = new Map<string, BatchedStatement<AvailableRequest, AvailableRow>>();

function availableBatcher(clinicId: string): BatchedStatement<AvailableRequest, AvailableRow> {
  let batched = availableByClinic.get(clinicId);
  if (!batched) {
    batched = batchedStatement((requests) => becomeAvailableTogether(clinicId, requests), { key: (r) => r.clinicianId });
    availableByClinic.set(clinicId, batched);
  }
  return batched;
}

/** Statements sent for becoming available so far, and for how many requests (all clinics). */
export function becomeAvailableStats(): BatchStats {
  const total: BatchStats = { statements: 0, calls: 0 };
  for (const batched of availableByClinic.values()) {
    const { statements, calls } = batched.stats();
    total.statements += statements;
    total.calls += calls;
  }
  return total;
}

/**
 * The clinician becomes available and, when they (with whoever becomes available together with
 * them) are the clinic's only free clinicians, is offered the task a round would give them, in one
 * statement. `offerId` is null when no offer was made there: the caller then runs a round (which
 * also covers every case the statement leaves to it).
 */
export async function becomeAvailable(clinicianId: string, clinicId: string, now: Date): Promise<{ busy: boolean; offerId: string | null }> {
  for (let attempt = 0; attempt < BECOME_AVAILABLE_ATTEMPTS; attempt++) {
    const row = await availableBatcher(clinicId)({ clinicianId, at: now });
    if (!row.raced) return { busy: row.busy, offerId: row.offerId };
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
