// A clinician's own part of the desk (presence, the offer ringing for them, their consult) as JSON
// built in SQL. The desk's read uses it, and so do the routing statements that change those parts:
// their notification carries the new parts, so an open desk shows the change without reading again
// (see "own" in routing-events.ts).

export type PresenceState = 'OFFLINE' | 'AVAILABLE' | 'BUSY' | 'WRAP_UP' | 'NOT_RESPONDING';

type RawPresence = { state: PresenceState; idleSince: string; wrapUpUntil: string | null };
type RawOffer = {
  id: string;
  expiresAt: string;
  offeredAt: string;
  appointmentId: string | null;
  patientName: string | null;
  reason: string | null;
  /** What the caller chose in the clinic's menu, in both languages. */
  menuChoice: { en: string; zh: string } | null;
  waitingSince: string;
  /** A phone caller's number as staff see it (masked). */
  channel: 'WEB' | 'PHONE' | 'SPECIALIST_REQUEST';
  callerNumber: string | null;
  /** A specialist request's context: who asked, for which department, how urgent. */
  specialistRequest: { requestedBy: string | null; department: string | null; urgency: 'ROUTINE' | 'URGENT'; note: string | null } | null;
};
type RawCurrent = { id: string; appointmentId: string | null };

/** The parts as the SQL below renders them (timestamps without a zone; the columns hold UTC). */
export type RawOwnParts = { presence?: RawPresence | null; offer?: RawOffer | null; current?: RawCurrent | null };

/** `p`: a row with the presence columns state, idleSince, wrapUpUntil. */
export const presenceJsonSql = (p: string) => `json_build_object('state', ${p}.state, 'idleSince', ${p}."idleSince", 'wrapUpUntil', ${p}."wrapUpUntil")`;

/**
 * `o`: the Offer row. Reads its Task as `t` and, joined by OFFER_CONTEXT_JOINS_SQL, the task's
 * Appointment `a` and Patient `pt` (both null for a specialist request).
 */
export const offerJsonSql = (o: string) => `json_build_object(
    'id', ${o}.id, 'expiresAt', ${o}."expiresAt", 'offeredAt', ${o}."createdAt",
    'appointmentId', COALESCE(a.id, t."consultAppointmentId"),
    'patientName', COALESCE(pt."familyName" || pt."givenName", t.attributes ->> 'patientName'),
    'reason', COALESCE(a.reason, t.attributes ->> 'reason'), 'menuChoice', t.attributes -> 'menuChoice', 'waitingSince', t."enqueuedAt",
    'channel', t.channel, 'callerNumber', t.attributes ->> 'callerNumberMasked',
    'specialistRequest', CASE WHEN t.channel = 'SPECIALIST_REQUEST' THEN json_build_object(
      'requestedBy', t.attributes ->> 'requestedBy', 'department', t.attributes ->> 'department',
      'urgency', t.attributes ->> 'urgency', 'note', t.attributes ->> 'note') END)`;

/** What offerJsonSql reads besides the offer and its task `t`. */
export const OFFER_CONTEXT_JOINS_SQL = `LEFT JOIN "Appointment" a ON a.id = t."appointmentId" LEFT JOIN "Patient" pt ON pt.id = a."patientId"`;

/** `t`: the assigned Task row. */
export const currentJsonSql = (t: string) => `json_build_object('id', ${t}.id, 'appointmentId', COALESCE(${t}."appointmentId", ${t}."consultAppointmentId"))`;

const utcDate = (value: string) => new Date(`${value}Z`);
const utcIso = (value: string) => utcDate(value).toISOString();

export function toPresence(raw: RawPresence | null | undefined) {
  return raw
    ? { state: raw.state, idleSince: utcDate(raw.idleSince) as Date | null, wrapUpUntil: raw.wrapUpUntil ? utcDate(raw.wrapUpUntil) : null }
    : { state: 'OFFLINE' as PresenceState, idleSince: null, wrapUpUntil: null };
}

export function toOffer(raw: RawOffer | null | undefined) {
  return raw ? { ...raw, expiresAt: utcIso(raw.expiresAt), offeredAt: utcIso(raw.offeredAt), waitingSince: utcIso(raw.waitingSince) } : null;
}

export type OwnDesk = {
  presence: ReturnType<typeof toPresence>;
  offer: ReturnType<typeof toOffer>;
  current: RawCurrent | null;
};

export function toOwnDesk(raw: RawOwnParts | undefined): OwnDesk {
  return { presence: toPresence(raw?.presence), offer: toOffer(raw?.offer), current: raw?.current ?? null };
}

/** The desk with the parts a notification carried replaced (a part it does not name is unchanged). */
export function applyOwnParts(desk: OwnDesk, parts: RawOwnParts): OwnDesk {
  return {
    presence: 'presence' in parts ? toPresence(parts.presence) : desk.presence,
    offer: 'offer' in parts ? toOffer(parts.offer) : desk.offer,
    current: 'current' in parts ? (parts.current ?? null) : desk.current,
  };
}
