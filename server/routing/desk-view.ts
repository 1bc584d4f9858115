// A clinician's desk: their presence, the offer ringing for them, their consult and the clinic's queue board, live.
import { createHash } from 'node:crypto';
import { requireStaff } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { clinicianTopic, sharedClinicRead, watchRouting } from './routing-events';
import { routingQuery, sqlTime, type RoutingStatement } from './routing-sql';
import { applyOwnParts, currentJsonSql, OFFER_CONTEXT_JOINS_SQL, offerJsonSql, presenceJsonSql, toOwnDesk, type OwnDesk, type RawOwnParts } from './desk-json';

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
export async function ownDesk(caller: Principal, now = new Date()): Promise<OwnDesk> {
  const principal = requireStaff(caller, undefined, 'Only clinic staff have a desk');
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
  /** What the caller chose in the clinic's menu, in both languages. */
  menuChoice: { en: string; zh: string } | null;
  patientName: string | null;
  /** A phone caller's number, masked. */
  callerNumber: string | null;
  preferredClinician: string | null;
};

// The first 50 live tasks of the clinic in arrival order, read along the partial index
// "Task_live_board_idx", with what the board shows of each.
const boardStatement: RoutingStatement = {
  name: 'routing.board',
  text: `
    SELECT t.id, t.state, t."enqueuedAt" AS "waitingSince", t.priority, t.channel, q.name AS "queueName",
           t.attributes ->> 'reason' AS reason, t.attributes -> 'menuChoice' AS "menuChoice", t.attributes ->> 'callerNumberMasked' AS "callerNumber",
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
export async function deskState(caller: Principal, now = new Date()) {
  const principal = requireStaff(caller, undefined, 'Only clinic staff have a desk');
  const [own, board] = await Promise.all([ownDesk(principal, now), readQueueBoard(principal.clinicId)]);
  return { ...own, board };
}

/**
 * The desk's live view: the clinician's own part changes at once when a change names them (taking
 * the new parts from the notification when it carries them, reading them otherwise), the board when
 * the clinic's views wake (at most every CLINIC_VIEW_INTERVAL_MS, shared by all desks).
 */
export async function* watchDesk(caller: Principal, options: { idleMs: number; signal?: AbortSignal }) {
  const principal = requireStaff(caller, undefined, 'Only clinic staff have a desk');
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
