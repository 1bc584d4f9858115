// The waiting room: a patient's place in their queue's line and the estimated wait, live.
import { conflict } from '@/server/errors';
import { requirePatient } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { appointmentTopic, sharedClinicRead, watchRouting } from './routing-events';
import { routingQuery, type RoutingStatement } from './routing-sql';

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
export async function waitingStatusAfterOwnChange(
  principal: Extract<Principal, { kind: 'patient' }>,
): Promise<{ status: WaitingStatus; queueId: string | null } | null> {
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
  throw conflict('The waiting-room status kept changing while it was read; please try again', 'retry');
}

export async function waitingStatus(caller: Principal): Promise<WaitingStatus> {
  const principal = requirePatient(caller, 'Only the waiting patient can see their place in line');
  return (await readWaitingStatus(principal)).status;
}

/**
 * The waiting room's live view: at once when the patient's own task changes, otherwise with the
 * clinic's views. While the task is live its place comes from the queue's shared line; the task
 * itself is read only when it is not (or no longer) there.
 */
export function watchWaitingStatus(caller: Principal, options: { idleMs: number; signal?: AbortSignal; onIdle?: (status: WaitingStatus) => Promise<void> }) {
  const principal = requirePatient(caller, 'Only the waiting patient can see their place in line');
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
