// The admin wallboard: today's figures of the clinic, live.
import { db } from '@/server/db';
import { requireAdmin } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { dayBounds } from '@/server/shared/zoned';
import { watchRouting } from './routing-events';

/** The wallboard's live view: with the clinic's views. */
export function watchWallboard(principal: Principal, options: { idleMs: number; signal?: AbortSignal }) {
  return watchRouting({ clinicId: principal.clinicId, read: () => wallboard(principal), ...options });
}

/** The admin wallboard for today in the clinic's time zone. */
export async function wallboard(caller: Principal, now = new Date()) {
  const principal = requireAdmin(caller, 'The wallboard is for clinic administrators');
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
