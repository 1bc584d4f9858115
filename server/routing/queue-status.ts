import { createHash } from 'node:crypto';
import { db } from '@/server/db';
import { forbidden } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { dayBounds } from '@/server/time/zoned';
import { appointmentTopic, clinicianTopic, sharedClinicRead, watchRouting } from './routing-events';
import { routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { applyOwnParts, currentJsonSql, OFFER_CONTEXT_JOINS_SQL, offerJsonSql, presenceJsonSql, toOwnDesk, type OwnDesk, type RawOwnParts } from './desk-json';

/** Used until a queue has completed consults to learn from. */
export const DEFAULT_HANDLE_SECONDS = 600;
const HANDLE_TIME_SAMPLE = 20;

// The waiting rooms' reads go through the routing pool, not the ORM: they run at every change of a
// busy clinic, and the ORM compiles each query anew (a fraction of a millisecond of CPU each, enough
// to hold the event loop for a hundred milliseconds when hundreds of rooms read at once).

const handleTimeStatement: RoutingStatement = {
  name: 'routing.handleTime',
  text: `
    SELECT avg(extract(epoch FROM r."completedAt" - r."assignedAt"))::float8 AS seconds
    FROM (SELECT "assignedAt", "completedAt" FROM "Task"
          WHERE "queueId" = $1 AND state = 'COMPLETED' AND "assignedAt" IS NOT NULL AND "completedAt" IS NOT NULL
          ORDER BY "completedAt" DESC LIMIT ${HANDLE_TIME_SAMPLE}) r`,
};

/** Average handling time (assigned -> completed) of the queue's most recent consults. */
export async function averageHandleSeconds(queueId: string): Promise<number> {
  const [row] = await routingQuery<{ seconds: number | null }>(handleTimeStatement, [queueId]);
  if (row?.seconds == null) return DEFAULT_HANDLE_SECONDS;
  return Math.max(60, Math.round(row.seconds));
}

/**
 * Estimated wait for the person at `position`: the people ahead of them beyond the free clinicians,
 * served `staffed` at a time, each taking the average handling time.
 */
export function estimateWaitSeconds(input: { position: number; freeClinicians: number; staffedClinicians: number; handleSeconds: number }) {
  const notServedNow = Math.max(0, input.position - input.freeClinicians);
  if (notServedNow === 0) return 0;
  return Math.round((notServedNow * input.handleSeconds) / Math.max(1, input.staffedClinicians));
}

const staffingStatement: RoutingStatement = {
  name: 'routing.staffing',
  text: `
    SELECT count(*) FILTER (WHERE state = 'AVAILABLE')::int AS free,
           count(*) FILTER (WHERE state IN ('AVAILABLE', 'BUSY', 'WRAP_UP'))::int AS staffed
    FROM "ClinicianPresence" WHERE "clinicId" = $1`,
};

async function staffing(clinicId: string): Promise<{ free: number; staffed: number }> {
  const [row] = await routingQuery<{ free: number; staffed: number }>(staffingStatement, [clinicId]);
  return row!;
}

export type WaitingStatus =
  | { state: 'WAITING' | 'OFFERED'; taskId: string; position: number; waitingCount: number; estimatedWaitSeconds: number }
  | { state: 'ASSIGNED'; taskId: string; appointmentId: string }
  | { state: 'ENDED'; reason: string | null };

/** A queue's line: every live task's place, and what the estimated wait is computed from. */
type QueueLine = {
  places: Map<string, { taskId: string; state: 'WAITING' | 'OFFERED'; position: number }>;
  waitingCount: number;
  freeClinicians: number;
  staffedClinicians: number;
  handleSeconds: number;
};

let queueLineReads = 0;
/** How often a queue's line was read in this process (benchmarks and tests). */
export const queueLineReadCount = () => queueLineReads;

// A queue's live tasks numbered in matching order (priority with aging, then arrival: compareTasks in
// matching.ts, as the dispatcher's SQL ranks them). Numbered here so that a line of thousands reaches
// Node as three short columns per task instead of being read whole and sorted.
const queueLineStatement: RoutingStatement = {
  name: 'routing.queueLine',
  text: `
    SELECT t."appointmentId", t.id AS "taskId", t.state,
           row_number() OVER (
             ORDER BY t."enqueuedAt" - make_interval(secs => t.priority * q."agingSecondsPerPriority"), t."enqueuedAt", t.id
           )::int AS position
    FROM "Task" t JOIN "Queue" q ON q.id = t."queueId"
    WHERE t."queueId" = $1 AND t.state IN ('WAITING', 'OFFERED')`,
};

type QueueLineRow = { appointmentId: string | null; taskId: string; state: 'WAITING' | 'OFFERED'; position: number };

async function readQueueLine(queueId: string, clinicId: string): Promise<QueueLine> {
  queueLineReads++;
  const [rows, staff, handleSeconds] = await Promise.all([
    routingQuery<QueueLineRow>(queueLineStatement, [queueId]),
    staffing(clinicId),
    averageHandleSeconds(queueId),
  ]);
  const places: QueueLine['places'] = new Map();
  for (const row of rows) {
    if (row.appointmentId) places.set(row.appointmentId, { taskId: row.taskId, state: row.state, position: row.position });
  }
  return { places, waitingCount: rows.length, freeClinicians: staff.free, staffedClinicians: staff.staffed, handleSeconds };
}

/**
 * The line of a queue, shared by every waiting room of the clinic open in this process: one read
 * after each change however many patients wait, instead of one per patient.
 */
function sharedQueueLine(queueId: string, clinicId: string) {
  return sharedClinicRead(`line:${queueId}`, clinicId, async () => {
    const line = await readQueueLine(queueId, clinicId);
    latestLines.set(queueId, line);
    return line;
  });
}
/** The last line read of each queue in this process, whatever change it followed. */
const latestLines = new Map<string, QueueLine>();

/** The patient's status if their visit has a live task in `line` (`state`: their task's, if read since). */
function statusInLine(line: QueueLine, appointmentId: string, state?: 'WAITING' | 'OFFERED'): WaitingStatus | null {
  const place = line.places.get(appointmentId);
  if (!place) return null;
  return {
    state: state ?? place.state,
    taskId: place.taskId,
    position: place.position,
    waitingCount: line.waitingCount,
    estimatedWaitSeconds: estimateWaitSeconds({
      position: place.position,
      freeClinicians: line.freeClinicians,
      staffedClinicians: line.staffedClinicians,
      handleSeconds: line.handleSeconds,
    }),
  };
}

type PatientTask = { id: string; state: string; queueId: string; clinicId: string; endReason: string | null };

const patientTaskStatement: RoutingStatement = {
  name: 'routing.patientTask',
  text: `SELECT id, state, "queueId", "clinicId", "endReason" FROM "Task" WHERE "appointmentId" = $1 ORDER BY "createdAt" DESC LIMIT 1`,
};

/**
 * The patient's status after a change that names them (an offer, its answer, the consult starting or
 * ending): such a change does not move them in the line, so their own task is read and their place
 * taken from the last line read in this process, without reading the line again. Null when that line
 * does not hold their task (just queued, moved to another queue): the caller reads it.
 */
export async function waitingStatusAfterOwnChange(principal: Extract<Principal, { kind: 'patient' }>): Promise<{ status: WaitingStatus; queueId: string | null } | null> {
  const read = await readPatientTask(principal.appointmentId);
  if ('status' in read) return { status: read.status, queueId: null };
  const line = latestLines.get(read.task.queueId);
  if (!line || line.places.get(principal.appointmentId)?.taskId !== read.task.id) return null;
  return { status: statusInLine(line, principal.appointmentId, read.state)!, queueId: read.task.queueId };
}

/** The patient's latest task while it is in a line; otherwise the status that says why it is not. */
async function readPatientTask(appointmentId: string): Promise<{ task: PatientTask; state: 'WAITING' | 'OFFERED' } | { status: WaitingStatus }> {
  const [task] = await routingQuery<PatientTask>(patientTaskStatement, [appointmentId]);
  if (!task) return { status: { state: 'ENDED', reason: null } };
  if (task.state === 'WAITING' || task.state === 'OFFERED') return { task, state: task.state };
  if (task.state === 'ASSIGNED') return { status: { state: 'ASSIGNED', taskId: task.id, appointmentId } };
  return { status: { state: 'ENDED', reason: task.endReason } };
}

/** Reads of the patient's task and line before giving up when the task keeps changing in between. */
const STATUS_READ_ATTEMPTS = 5;

/** The patient's status, and the queue their task is in while it is live. */
async function readWaitingStatus(principal: Extract<Principal, { kind: 'patient' }>): Promise<{ status: WaitingStatus; queueId: string | null }> {
  for (let attempt = 0; attempt < STATUS_READ_ATTEMPTS; attempt++) {
    const read = await readPatientTask(principal.appointmentId);
    if ('status' in read) return { status: read.status, queueId: null };
    const { queueId, clinicId } = read.task;
    // The shared line may have been read before this task's latest change was heard of; if the task
    // is not in it, the line is read again, after the task.
    const line = attempt === 0 ? await sharedQueueLine(queueId, clinicId) : await readQueueLine(queueId, clinicId);
    const status = statusInLine(line, principal.appointmentId);
    if (status) return { status, queueId };
  }
  throw new Error('The waiting-room status kept changing while it was read');
}

export async function waitingStatus(principal: Principal): Promise<WaitingStatus> {
  if (principal.kind !== 'patient') throw forbidden('Only the waiting patient can see their place in line');
  return (await readWaitingStatus(principal)).status;
}

// A clinician's own part of the desk in one statement: read when a desk opens, at every change that
// names the clinician without carrying the new parts, and when the desk has been idle.
const ownDeskStatement: RoutingStatement = {
  name: 'routing.ownDesk',
  text: `
    SELECT
      (SELECT ${presenceJsonSql('p')} FROM "ClinicianPresence" p WHERE p."userId" = $1) AS presence,
      (SELECT ${offerJsonSql('o')}
       FROM "Offer" o JOIN "Task" t ON t.id = o."taskId"
       ${OFFER_CONTEXT_JOINS_SQL}
       WHERE o."clinicianId" = $1 AND o.state = 'PENDING' AND o."expiresAt" > $2::timestamp(3)
       ORDER BY o."createdAt" LIMIT 1) AS offer,
      (SELECT ${currentJsonSql('t')} FROM "Task" t WHERE t."assignedClinicianId" = $1 AND t.state = 'ASSIGNED' LIMIT 1) AS current`,
};

/** The clinician's presence, the offer ringing for them and their consult. */
export async function ownDesk(principal: Principal, now = new Date()): Promise<OwnDesk> {
  if (principal.kind !== 'staff') throw forbidden('Only clinic staff have a desk');
  const [row] = await routingQuery<RawOwnParts>(ownDeskStatement, [principal.id, sqlTime(now)]);
  return toOwnDesk(row);
}

type BoardRow = {
  id: string;
  state: 'WAITING' | 'OFFERED';
  waitingSince: string;
  priority: number;
  channel: 'WEB' | 'PHONE' | 'SPECIALIST_REQUEST';
  queueName: string;
  reason: string | null;
  patientName: string | null;
  preferredClinician: string | null;
};

// The first 50 live tasks of the clinic in arrival order, read along the partial index
// "Task_live_board_idx", with what the board shows of each.
const boardStatement: RoutingStatement = {
  name: 'routing.board',
  text: `
    SELECT t.id, t.state, t."enqueuedAt" AS "waitingSince", t.priority, t.channel, q.name AS "queueName",
           t.attributes ->> 'reason' AS reason,
           COALESCE(pt."familyName" || pt."givenName", t.attributes ->> 'patientName') AS "patientName", u.name AS "preferredClinician"
    FROM (SELECT * FROM "Task" WHERE "clinicId" = $1 AND state IN ('WAITING', 'OFFERED') ORDER BY "enqueuedAt" LIMIT 50) t
    JOIN "Queue" q ON q.id = t."queueId"
    LEFT JOIN "Appointment" a ON a.id = t."appointmentId"
    LEFT JOIN "Patient" pt ON pt.id = a."patientId"
    LEFT JOIN "User" u ON u.id = t."preferredClinicianId"
    ORDER BY t."enqueuedAt", t.id`,
};

/** The clinic's queue board: who waits, how long, reason, priority, preferred clinician (first 50). */
async function readQueueBoard(clinicId: string) {
  const rows = await routingQuery<Omit<BoardRow, 'waitingSince'> & { waitingSince: Date }>(boardStatement, [clinicId]);
  return rows.map((row): BoardRow => ({ ...row, waitingSince: row.waitingSince.toISOString() }));
}

/**
 * Open desks of the clinic in this process share a read of the board when they wake together, and
 * its JSON, so that each desk compares one string instead of serialising the board again.
 */
function sharedQueueBoard(clinicId: string) {
  return sharedClinicRead(`board:${clinicId}`, clinicId, async () => {
    const board = await readQueueBoard(clinicId);
    return { board, key: createHash('sha1').update(JSON.stringify(board)).digest('base64') };
  });
}

/** What a clinician's desk shows: their presence, the offer ringing for them, their consult, the board. */
export async function deskState(principal: Principal, now = new Date()) {
  if (principal.kind !== 'staff') throw forbidden('Only clinic staff have a desk');
  const [own, board] = await Promise.all([ownDesk(principal, now), readQueueBoard(principal.clinicId)]);
  return { ...own, board };
}

/**
 * The desk's live view: the clinician's own part changes at once when a change names them (taking
 * the new parts from the notification when it carries them, reading them otherwise), the board when
 * the clinic's views wake (at most every CLINIC_VIEW_INTERVAL_MS, shared by all desks).
 */
export async function* watchDesk(principal: Principal, options: { idleMs: number; signal?: AbortSignal }) {
  if (principal.kind !== 'staff') throw forbidden('Only clinic staff have a desk');
  let own: OwnDesk | null = null;
  let board: Awaited<ReturnType<typeof sharedQueueBoard>> | null = null;
  // Parts heard of, in commit order, not yet applied. Those heard before a read starts are in what
  // it reads; those heard while it runs are applied on top of it.
  const heard: RawOwnParts[] = [];
  const viewKeys = new WeakMap<object, string>();
  // Most wakes change neither part (the clinic's views wake for every change in the clinic): the own
  // part's JSON is made once per new value, the board's once per read, so such a wake compares keys.
  let ownKey: { own: OwnDesk; key: string } | null = null;
  const keyOfOwn = (value: OwnDesk) => {
    if (ownKey?.own !== value) ownKey = { own: value, key: JSON.stringify(value) };
    return ownKey.key;
  };
  yield* watchRouting({
    clinicId: principal.clinicId,
    topics: [clinicianTopic(principal.id)],
    idleMs: options.idleMs,
    signal: options.signal,
    onParts: (parts) => heard.push(parts),
    read: async (changed) => {
      const readOwn = changed.own || !own;
      const inRead = readOwn ? heard.length : 0;
      const [ownNow, boardNow] = await Promise.all([
        readOwn ? ownDesk(principal) : own!,
        changed.clinic || !board ? sharedQueueBoard(principal.clinicId) : board,
      ]);
      heard.splice(0, inRead);
      own = heard.splice(0).reduce(applyOwnParts, ownNow);
      board = boardNow;
      const view = { ...own, board: board.board };
      viewKeys.set(view, `${board.key} ${keyOfOwn(own)}`);
      return view;
    },
    keyOf: (view) => viewKeys.get(view)!,
  });
}

/**
 * The waiting room's live view: at once when the patient's own task changes, otherwise with the
 * clinic's views. While the task is live its place comes from the queue's shared line; the task
 * itself is read only when it is not (or no longer) there.
 */
export function watchWaitingStatus(
  principal: Principal,
  options: { idleMs: number; signal?: AbortSignal; onIdle?: (status: WaitingStatus) => Promise<void> },
) {
  if (principal.kind !== 'patient') throw forbidden('Only the waiting patient can see their place in line');
  let queueId: string | null = null;
  return watchRouting({
    clinicId: principal.clinicId,
    topics: [appointmentTopic(principal.appointmentId)],
    read: async (changed) => {
      // Changes that name this patient wake them at once and may come hundreds of times a second in a
      // busy clinic; only the others (at most every 400 ms) read the line again.
      if (queueId && changed.own && !changed.clinic) {
        const afterOwn = await waitingStatusAfterOwnChange(principal);
        if (afterOwn) {
          queueId = afterOwn.queueId;
          return afterOwn.status;
        }
      }
      const inLine = queueId ? statusInLine(await sharedQueueLine(queueId, principal.clinicId), principal.appointmentId) : null;
      if (inLine) return inLine;
      const read = await readWaitingStatus(principal);
      queueId = read.queueId;
      return read.status;
    },
    ...options,
  });
}

/** The wallboard's live view: with the clinic's views. */
export function watchWallboard(principal: Principal, options: { idleMs: number; signal?: AbortSignal }) {
  return watchRouting({ clinicId: principal.clinicId, read: () => wallboard(principal), ...options });
}

/** The admin wallboard for today in the clinic's time zone. */
export async function wallboard(principal: Principal, now = new Date()) {
  if (principal.kind !== 'staff' || principal.role !== 'ADMIN') throw forbidden('The wallboard is for clinic administrators');
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: principal.clinicId }, select: { timeZone: true } });
  const { start } = dayBounds(now, clinic.timeZone);
  // Counted in PostgreSQL: a busy clinic's day is thousands of tasks, and open wallboards re-read it
  // whenever the clinic changes. Literal states, so that the live tasks are read along the partial
  // index of the queue board.
  const [[waiting], [today], hourly, presence] = await Promise.all([
    db.$queryRaw<{ count: number; oldest: Date | null }[]>`
      SELECT count(*)::int AS count, min("enqueuedAt") AS oldest FROM "Task"
      WHERE "clinicId" = ${principal.clinicId} AND state IN ('WAITING', 'OFFERED')`,
    db.$queryRaw<{ answered: number; abandoned: number; answerSeconds: number; withinTarget: number }[]>`
      SELECT count(t."assignedAt")::int AS answered,
             count(*) FILTER (WHERE t.state = 'ABANDONED')::int AS abandoned,
             coalesce(sum(extract(epoch FROM t."assignedAt" - t."createdAt")), 0)::float8 AS "answerSeconds",
             count(*) FILTER (WHERE extract(epoch FROM t."assignedAt" - t."createdAt") <= q."serviceLevelSeconds")::int AS "withinTarget"
      FROM "Task" t JOIN "Queue" q ON q.id = t."queueId"
      WHERE t."clinicId" = ${principal.clinicId} AND t."createdAt" >= ${start}::timestamp`,
    db.$queryRaw<{ kind: 'arrived' | 'answered' | 'abandoned'; hour: number; count: number }[]>`
      SELECT e.kind, least(23, greatest(0, floor(extract(epoch FROM e.at - ${start}::timestamp) / 3600)))::int AS hour, count(*)::int AS count
      FROM "Task" t, LATERAL (VALUES ('arrived', t."createdAt"), ('answered', t."assignedAt"), ('abandoned', t."abandonedAt")) AS e(kind, at)
      WHERE t."clinicId" = ${principal.clinicId} AND t."createdAt" >= ${start}::timestamp AND e.at IS NOT NULL
      GROUP BY 1, 2`,
    db.clinicianPresence.groupBy({ by: ['state'], where: { clinicId: principal.clinicId }, _count: true }),
  ]);
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, arrived: 0, answered: 0, abandoned: 0 }));
  for (const row of hourly) hours[row.hour]![row.kind] = row.count;
  const finished = today!.answered + today!.abandoned;
  return {
    waitingNow: waiting!.count,
    longestWaitSeconds: waiting!.oldest ? Math.max(0, Math.round((now.getTime() - waiting!.oldest.getTime()) / 1000)) : 0,
    averageSpeedOfAnswerSeconds: today!.answered ? Math.round(today!.answerSeconds / today!.answered) : null,
    serviceLevelPercent: today!.answered ? Math.round((today!.withinTarget / today!.answered) * 100) : null,
    abandonRatePercent: finished ? Math.round((today!.abandoned / finished) * 100) : null,
    answeredToday: today!.answered,
    abandonedToday: today!.abandoned,
    cliniciansByState: Object.fromEntries(presence.map((p) => [p.state, p._count])) as Record<string, number>,
    hours,
  };
}
