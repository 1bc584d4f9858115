import { db } from '@/server/db';
import { forbidden } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { dayBounds } from '@/server/time/zoned';
import { compareTasks, type QueueRules, type WaitingTask } from './matching';

/** Used until a queue has completed consults to learn from. */
export const DEFAULT_HANDLE_SECONDS = 600;
const HANDLE_TIME_SAMPLE = 20;

/** Average handling time (assigned -> completed) of the queue's most recent consults. */
export async function averageHandleSeconds(queueId: string): Promise<number> {
  const recent = await db.task.findMany({
    where: { queueId, state: 'COMPLETED', assignedAt: { not: null }, completedAt: { not: null } },
    orderBy: { completedAt: 'desc' },
    take: HANDLE_TIME_SAMPLE,
    select: { assignedAt: true, completedAt: true },
  });
  if (recent.length === 0) return DEFAULT_HANDLE_SECONDS;
  const total = recent.reduce((sum, t) => sum + (t.completedAt!.getTime() - t.assignedAt!.getTime()) / 1000, 0);
  return Math.max(60, Math.round(total / recent.length));
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

async function orderedLiveTasks(queueId: string) {
  const [queue, tasks] = await Promise.all([
    db.queue.findUniqueOrThrow({ where: { id: queueId }, select: { id: true, requiredSkills: true, preferredClinicianSeconds: true, agingSecondsPerPriority: true } }),
    db.task.findMany({
      where: { queueId, state: { in: ['WAITING', 'OFFERED'] } },
      select: { id: true, queueId: true, priority: true, enqueuedAt: true, requiredSkills: true, preferredClinicianId: true, state: true },
    }),
  ]);
  const queues = new Map<string, QueueRules>([[queue.id, queue]]);
  return tasks
    .map((t) => ({ ...t, declinedBy: [] }) satisfies WaitingTask & { state: string })
    .sort((a, b) => compareTasks(a, b, queues));
}

async function staffing(clinicId: string) {
  const groups = await db.clinicianPresence.groupBy({ by: ['state'], where: { clinicId }, _count: true });
  const count = (state: string) => groups.find((g) => g.state === state)?._count ?? 0;
  return {
    free: count('AVAILABLE'),
    staffed: count('AVAILABLE') + count('BUSY') + count('WRAP_UP'),
  };
}

export type WaitingStatus =
  | { state: 'WAITING' | 'OFFERED'; taskId: string; position: number; waitingCount: number; estimatedWaitSeconds: number }
  | { state: 'ASSIGNED'; taskId: string; appointmentId: string }
  | { state: 'ENDED'; reason: string | null };

export async function waitingStatus(principal: Principal): Promise<WaitingStatus> {
  if (principal.kind !== 'patient') throw forbidden('Only the waiting patient can see their place in line');
  const task = await db.task.findFirst({
    where: { appointmentId: principal.appointmentId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, state: true, queueId: true, clinicId: true, endReason: true },
  });
  if (!task) return { state: 'ENDED', reason: null };
  if (task.state === 'ASSIGNED') return { state: 'ASSIGNED', taskId: task.id, appointmentId: principal.appointmentId };
  if (task.state !== 'WAITING' && task.state !== 'OFFERED') return { state: 'ENDED', reason: task.endReason };
  const [ordered, staff, handleSeconds] = await Promise.all([
    orderedLiveTasks(task.queueId),
    staffing(task.clinicId),
    averageHandleSeconds(task.queueId),
  ]);
  const position = ordered.findIndex((t) => t.id === task.id) + 1;
  return {
    state: task.state,
    taskId: task.id,
    position,
    waitingCount: ordered.length,
    estimatedWaitSeconds: estimateWaitSeconds({ position, freeClinicians: staff.free, staffedClinicians: staff.staffed, handleSeconds }),
  };
}

/** What a clinician's desk shows: their presence, the offer ringing for them, their consult, the board. */
export async function deskState(principal: Principal, now = new Date()) {
  if (principal.kind !== 'staff') throw forbidden('Only clinic staff have a desk');
  const [presence, offer, current, board] = await Promise.all([
    db.clinicianPresence.findUnique({ where: { userId: principal.id }, select: { state: true, idleSince: true, wrapUpUntil: true } }),
    db.offer.findFirst({
      where: { clinicianId: principal.id, state: 'PENDING', expiresAt: { gt: now } },
      select: {
        id: true,
        expiresAt: true,
        createdAt: true,
        task: {
          select: {
            id: true,
            enqueuedAt: true,
            attributes: true,
            priority: true,
            appointment: { select: { id: true, reason: true, patient: { select: { familyName: true, givenName: true } } } },
          },
        },
      },
    }),
    db.task.findFirst({
      where: { assignedClinicianId: principal.id, state: 'ASSIGNED' },
      select: { id: true, appointmentId: true },
    }),
    db.task.findMany({
      where: { clinicId: principal.clinicId, state: { in: ['WAITING', 'OFFERED'] } },
      orderBy: { enqueuedAt: 'asc' },
      take: 50,
      select: {
        id: true,
        state: true,
        enqueuedAt: true,
        priority: true,
        channel: true,
        attributes: true,
        preferredClinicianId: true,
        queue: { select: { name: true } },
        appointment: { select: { patient: { select: { familyName: true, givenName: true } } } },
      },
    }),
  ]);
  const preferredNames = await db.user.findMany({
    where: { id: { in: [...new Set(board.map((t) => t.preferredClinicianId).filter((id): id is string => !!id))] } },
    select: { id: true, name: true },
  });
  return {
    presence: presence ?? { state: 'OFFLINE' as const, idleSince: null, wrapUpUntil: null },
    offer: offer && {
      id: offer.id,
      expiresAt: offer.expiresAt.toISOString(),
      offeredAt: offer.createdAt.toISOString(),
      appointmentId: offer.task.appointment?.id ?? null,
      patientName: offer.task.appointment ? `${offer.task.appointment.patient.familyName}${offer.task.appointment.patient.givenName}` : null,
      reason: offer.task.appointment?.reason ?? null,
      waitingSince: offer.task.enqueuedAt.toISOString(),
    },
    current,
    board: board.map((t) => ({
      id: t.id,
      state: t.state,
      waitingSince: t.enqueuedAt.toISOString(),
      priority: t.priority,
      channel: t.channel,
      queueName: t.queue.name,
      reason: (t.attributes as { reason?: string } | null)?.reason ?? null,
      patientName: t.appointment ? `${t.appointment.patient.familyName}${t.appointment.patient.givenName}` : null,
      preferredClinician: preferredNames.find((u) => u.id === t.preferredClinicianId)?.name ?? null,
    })),
  };
}

/** The admin wallboard for today in the clinic's time zone. */
export async function wallboard(principal: Principal, now = new Date()) {
  if (principal.kind !== 'staff' || principal.role !== 'ADMIN') throw forbidden('The wallboard is for clinic administrators');
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: principal.clinicId }, select: { timeZone: true } });
  const { start } = dayBounds(now, clinic.timeZone);
  const [waiting, today, presence, queues] = await Promise.all([
    db.task.findMany({ where: { clinicId: principal.clinicId, state: { in: ['WAITING', 'OFFERED'] } }, select: { enqueuedAt: true } }),
    db.task.findMany({
      where: { clinicId: principal.clinicId, createdAt: { gte: start } },
      select: { createdAt: true, enqueuedAt: true, assignedAt: true, abandonedAt: true, state: true, queueId: true },
    }),
    db.clinicianPresence.groupBy({ by: ['state'], where: { clinicId: principal.clinicId }, _count: true }),
    db.queue.findMany({ where: { clinicId: principal.clinicId }, select: { id: true, serviceLevelSeconds: true } }),
  ]);
  const slOf = new Map(queues.map((q) => [q.id, q.serviceLevelSeconds]));
  const answered = today.filter((t) => t.assignedAt);
  const abandoned = today.filter((t) => t.state === 'ABANDONED');
  const answerSeconds = answered.map((t) => (t.assignedAt!.getTime() - t.createdAt.getTime()) / 1000);
  const withinTarget = answered.filter((t, i) => answerSeconds[i]! <= (slOf.get(t.queueId) ?? 120)).length;
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, arrived: 0, answered: 0, abandoned: 0 }));
  const hourOf = (d: Date) => Math.min(23, Math.max(0, Math.floor((d.getTime() - start.getTime()) / 3_600_000)));
  for (const t of today) {
    hours[hourOf(t.createdAt)]!.arrived++;
    if (t.assignedAt) hours[hourOf(t.assignedAt)]!.answered++;
    if (t.abandonedAt) hours[hourOf(t.abandonedAt)]!.abandoned++;
  }
  const finished = answered.length + abandoned.length;
  return {
    waitingNow: waiting.length,
    longestWaitSeconds: waiting.length ? Math.round((now.getTime() - Math.min(...waiting.map((t) => t.enqueuedAt.getTime()))) / 1000) : 0,
    averageSpeedOfAnswerSeconds: answered.length ? Math.round(answerSeconds.reduce((a, b) => a + b, 0) / answered.length) : null,
    serviceLevelPercent: answered.length ? Math.round((withinTarget / answered.length) * 100) : null,
    abandonRatePercent: finished ? Math.round((abandoned.length / finished) * 100) : null,
    answeredToday: answered.length,
    abandonedToday: abandoned.length,
    cliniciansByState: Object.fromEntries(presence.map((p) => [p.state, p._count])) as Record<string, number>,
    hours,
  };
}
