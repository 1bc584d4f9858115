// A caller's call from the first second: which stage they are in, where in the menu, and which agents worker holds the room.
import { db } from '@/server/db';
import type { CallSession, CallStage, IvrEventKind, Locale } from '@/server/db/generated/client';

/** A worker renews its rooms this often; a room not renewed for AGENT_LEASE_MS is taken over by another worker. */
export const AGENT_HEARTBEAT_MS = 500;
export const AGENT_LEASE_MS = 2000;
/** A session no worker has picked up this long after it opened is requested again. */
const UNCLAIMED_GRACE_MS = 2000;

/** The stages in which a room needs its agent. */
export const AGENT_STAGES: readonly CallStage[] = ['IDENTIFY', 'MENU', 'WAITING'];

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/** The room's live session, or a new one: a reload or a second device finds the same stage and menu node. */
export async function openCallSession(input: {
  clinicId: string;
  appointmentId: string | null;
  room: string;
  locale: Locale;
  audioOnly: boolean;
  stage: CallStage;
  /** A phone caller: the channel, their number (E.164, when they sent one) and their LiveKit identity. */
  phone?: { callerNumber: string | null; callerIdentity: string };
}): Promise<{ session: CallSession; created: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const live = await db.callSession.findFirst({ where: { room: input.room, stage: { not: 'ENDED' } } });
    if (live) {
      const session =
        live.audioOnly === input.audioOnly && live.locale === input.locale
          ? live
          : await db.callSession.update({ where: { id: live.id }, data: { audioOnly: input.audioOnly, locale: input.locale } });
      return { session, created: false };
    }
    try {
      const { phone, ...fields } = input;
      const session = await db.callSession.create({ data: { ...fields, ...(phone ? { channel: 'PHONE' as const, ...phone } : {}) } });
      return { session, created: true };
    } catch (error) {
      // Two tabs opened the call at once: the partial unique index lets one session live per room.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(`Could not open a call session for ${input.room}`);
}

export async function liveSessionOfRoom(room: string) {
  return db.callSession.findFirst({ where: { room, stage: { not: 'ENDED' } } });
}

/**
 * This worker takes the session's room unless another worker holds it and renewed it lately.
 * One statement, so two workers claiming at once cannot both win.
 */
export async function claimSession(sessionId: string, workerId: string, now = new Date()): Promise<CallSession | null> {
  const staleBefore = new Date(now.getTime() - AGENT_LEASE_MS);
  const rows = await db.$queryRaw<CallSession[]>`
    UPDATE "CallSession" SET "agentWorkerId" = ${workerId}, "agentSeenAt" = ${now}
    WHERE id = ${sessionId} AND stage IN ('IDENTIFY', 'MENU', 'WAITING')
      AND ("agentWorkerId" IS NULL OR "agentWorkerId" = ${workerId} OR "agentSeenAt" < ${staleBefore})
    RETURNING *`;
  return rows[0] ?? null;
}

/** Renews this worker's rooms; returns the ids it no longer holds (ended, or taken over after a stall). */
export async function renewSessions(workerId: string, sessionIds: string[], now = new Date()): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const renewed = await db.$queryRaw<{ id: string }[]>`
    UPDATE "CallSession" SET "agentSeenAt" = ${now}
    WHERE id = ANY(${sessionIds}) AND "agentWorkerId" = ${workerId} AND stage IN ('IDENTIFY', 'MENU', 'WAITING')
    RETURNING id`;
  const held = new Set(renewed.map((row) => row.id));
  return sessionIds.filter((id) => !held.has(id));
}

/** Sessions whose room has no live agent: never picked up, or their worker stopped renewing. */
export async function orphanedSessions(now = new Date(), limit = 50): Promise<Pick<CallSession, 'id' | 'room'>[]> {
  const staleBefore = new Date(now.getTime() - AGENT_LEASE_MS);
  const unclaimedBefore = new Date(now.getTime() - UNCLAIMED_GRACE_MS);
  return db.callSession.findMany({
    where: {
      stage: { in: [...AGENT_STAGES] },
      OR: [{ agentSeenAt: null, startedAt: { lt: unclaimedBefore } }, { agentSeenAt: { lt: staleBefore } }],
    },
    select: { id: true, room: true },
    orderBy: { startedAt: 'asc' },
    take: limit,
  });
}

/** Where the caller is in the menu, kept so that a worker taking over resumes there. */
export async function saveMenuPosition(sessionId: string, position: { menuVersion: number; nodeId: string; path: string[] }) {
  await db.callSession.update({ where: { id: sessionId }, data: position });
}

export async function setStage(sessionId: string, stage: CallStage, now = new Date()) {
  await db.callSession.update({
    where: { id: sessionId },
    data: { stage, ...(stage === 'ENDED' ? { endedAt: now } : {}), ...(AGENT_STAGES.includes(stage) ? {} : { agentWorkerId: null }) },
  });
}

/** Moves the session on only from a stage in `from`: a late agent never drags a consult back into the menu. */
export async function advanceStage(sessionId: string, from: CallStage[], to: CallStage, now = new Date()): Promise<boolean> {
  const { count } = await db.callSession.updateMany({
    where: { id: sessionId, stage: { in: from } },
    data: { stage: to, ...(to === 'ENDED' ? { endedAt: now } : {}), ...(AGENT_STAGES.includes(to) ? {} : { agentWorkerId: null }) },
  });
  return count > 0;
}

export async function recordIvrEvent(event: {
  sessionId: string;
  clinicId: string;
  menuVersion: number;
  nodeId: string;
  kind: IvrEventKind;
  digit?: string | null;
  durationMs?: number | null;
  at?: Date;
}) {
  await db.ivrEvent.create({ data: { ...event, digit: event.digit ?? null, durationMs: event.durationMs ?? null } });
}

/** A worker shutting down lets its rooms go at once instead of waiting for their leases to run out. */
export async function releaseSessions(workerId: string, sessionIds: string[]) {
  if (sessionIds.length === 0) return;
  await db.callSession.updateMany({ where: { id: { in: sessionIds }, agentWorkerId: workerId }, data: { agentWorkerId: null, agentSeenAt: null } });
}
