import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createClinic, createStaff, staffPrincipal } from '@/server/testing/factories';
import { wallboard } from './wallboard';

// 14:00 in Shanghai; the clinic's day began at 2026-11-23T16:00:00Z.
const now = new Date('2026-11-24T06:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('wallboard (real PostgreSQL)', () => {
  it("counts the clinic's live tasks and today's answers, abandons and arrivals, and nothing from yesterday or another clinic", async () => {
    const clinic = await createClinic({ timeZone: 'Asia/Shanghai', queue: { serviceLevelSeconds: 120 } });
    const other = await createClinic();
    const admin = staffPrincipal(await createStaff(clinic.id, 'ADMIN'));
    const task = (data: {
      state: 'WAITING' | 'OFFERED' | 'COMPLETED' | 'ABANDONED';
      createdAt: Date;
      enqueuedAt?: Date;
      assignedAt?: Date;
      abandonedAt?: Date;
      clinicId?: string;
      queueId?: string;
    }) =>
      db.task.create({
        data: {
          clinicId: data.clinicId ?? clinic.id,
          queueId: data.queueId ?? clinic.followUpQueueId,
          channel: 'WEB',
          state: data.state,
          createdAt: data.createdAt,
          enqueuedAt: data.enqueuedAt ?? data.createdAt,
          assignedAt: data.assignedAt ?? null,
          completedAt: data.assignedAt ? plus(data.assignedAt, 600) : null,
          abandonedAt: data.abandonedAt ?? null,
        },
      });
    const answeredInTime = ago(3600);
    const answeredLate = ago(7200);
    const abandoned = ago(1800);
    const yesterday = ago(15 * 3600);
    await Promise.all([
      task({ state: 'WAITING', createdAt: ago(300) }),
      // Back in line after a declined offer: created later than the longest waiter, place kept.
      task({ state: 'OFFERED', createdAt: ago(90), enqueuedAt: ago(200) }),
      task({ state: 'COMPLETED', createdAt: answeredInTime, assignedAt: plus(answeredInTime, 60) }),
      task({ state: 'COMPLETED', createdAt: answeredLate, assignedAt: plus(answeredLate, 300) }),
      task({ state: 'ABANDONED', createdAt: abandoned, abandonedAt: plus(abandoned, 120) }),
      task({ state: 'COMPLETED', createdAt: yesterday, assignedAt: plus(yesterday, 10) }),
      task({ state: 'WAITING', createdAt: ago(5000), clinicId: other.id, queueId: other.followUpQueueId }),
    ]);

    const board = await wallboard(admin, now);

    expect(board).toMatchObject({
      waitingNow: 2,
      longestWaitSeconds: 300,
      answeredToday: 2,
      abandonedToday: 1,
      averageSpeedOfAnswerSeconds: 180,
      serviceLevelPercent: 50,
      abandonRatePercent: 33,
    });
    const byHour = Object.fromEntries(board.hours.filter((h) => h.arrived || h.answered || h.abandoned).map((h) => [h.hour, h]));
    expect(byHour).toEqual({
      12: { hour: 12, arrived: 1, answered: 1, abandoned: 0 },
      13: { hour: 13, arrived: 4, answered: 1, abandoned: 1 },
    });
  });

  it('shows an empty clinic as zeros, not as missing figures', async () => {
    const clinic = await createClinic();
    const board = await wallboard(staffPrincipal(await createStaff(clinic.id, 'ADMIN')), now);
    expect(board).toMatchObject({
      waitingNow: 0,
      longestWaitSeconds: 0,
      averageSpeedOfAnswerSeconds: null,
      serviceLevelPercent: null,
      abandonRatePercent: null,
    });
  });

  it('is for administrators only', async () => {
    const clinic = await createClinic();
    await expect(wallboard(staffPrincipal(await createStaff(clinic.id, 'CLINICIAN')), now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
