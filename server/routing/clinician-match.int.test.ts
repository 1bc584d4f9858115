import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { SPECIALIST_SKILL } from '@/server/shared/specialist-config';
import { createClinic, createStaff } from '@/server/testing/factories';
import { pick, seededRandom } from '@/server/testing/random';
import { becomeAvailable, becomeAvailableTogether, dispatchClinic } from './dispatcher';
import { matchTasks, type WaitingTask } from './matching';
import { DECLINE_COOLDOWN_SECONDS } from './routing-config';
import { setPresence } from './presence';

// A clinician who becomes available while no one else is free is offered a task by the becoming-
// available statement itself (SQL), not by a round (matching.ts). Both must choose the same task; and
// for clinicians becoming available together in one statement, the same task for each of them.

type TestClinic = Awaited<ReturnType<typeof createClinic>>;

/** A follow-up or specialist request waiting up to half an hour, some needing English, some held for a clinician. */
function randomWaitingTask(
  rnd: () => number,
  clinic: TestClinic,
  now: Date,
  options: { englishShare: number; preferredShare: number; preferredAmong: string[] },
) {
  const specialist = rnd() < 0.2;
  return {
    clinicId: clinic.id,
    queueId: specialist ? clinic.specialistQueueId : clinic.followUpQueueId,
    channel: specialist ? ('SPECIALIST_REQUEST' as const) : ('WEB' as const),
    priority: pick(rnd, [0, 0, 1, 2]),
    enqueuedAt: new Date(now.getTime() - Math.floor(rnd() * 1800) * 1000),
    requiredSkills: rnd() < options.englishShare ? ['lang:en'] : [],
    preferredClinicianId: rnd() < options.preferredShare ? pick(rnd, options.preferredAmong) : null,
    lastSeenAt: new Date(now.getTime() + 3_600_000),
  };
}

async function randomClinic(seed: number, now: Date) {
  const rnd = seededRandom(seed);
  const clinic = await createClinic({ queue: { agingSecondsPerPriority: 120, preferredClinicianSeconds: 300 } });
  const [clinician, colleague] = [await createStaff(clinic.id), await createStaff(clinic.id)];
  const skills = ['lang:en', SPECIALIST_SKILL].filter(() => rnd() < 0.5);
  await db.clinicianPresence.create({ data: { userId: clinician.id, clinicId: clinic.id, state: 'OFFLINE', skills } });
  const tasks = Array.from({ length: 25 }, () =>
    randomWaitingTask(rnd, clinic, now, { englishShare: 0.15, preferredShare: 0.3, preferredAmong: [clinician.id, colleague.id] }),
  );
  // Ahead of them all (priority 30): tasks this clinician may not take now (held for a colleague,
  // a skill nobody has, declined by them just now); in odd clinics next one they declined long ago
  // (they may take it), in even ones that task is among the rest.
  const ahead = (overrides: Partial<(typeof tasks)[number]>) => ({
    ...tasks[0]!,
    queueId: clinic.followUpQueueId,
    channel: 'WEB' as const,
    priority: 30,
    requiredSkills: [],
    preferredClinicianId: null,
    enqueuedAt: new Date(now.getTime() - 60_000),
    ...overrides,
  });
  const held = await db.task.create({ data: ahead({ preferredClinicianId: colleague.id }) });
  const unskilled = await db.task.create({ data: ahead({ requiredSkills: ['dept:none'] }) });
  const recent = await db.task.create({ data: ahead({}) });
  const old = await db.task.create({ data: ahead({ priority: seed % 2 ? 29 : 0, enqueuedAt: tasks[1]!.enqueuedAt }) });
  await db.task.createMany({ data: tasks });
  const created = await db.task.findMany({ where: { clinicId: clinic.id }, include: { queue: true } });
  await db.offer.createMany({
    data: [
      { taskId: recent.id, clinicianId: clinician.id, state: 'DECLINED', expiresAt: now, respondedAt: new Date(now.getTime() - 5_000) },
      {
        taskId: old.id,
        clinicianId: clinician.id,
        state: 'DECLINED',
        expiresAt: now,
        respondedAt: new Date(now.getTime() - (DECLINE_COOLDOWN_SECONDS + 60) * 1000),
      },
    ],
  });
  const expected = matchTasks({
    tasks: created.map((t): WaitingTask => ({ ...t, declinedBy: t.id === recent.id ? [clinician.id] : [] })),
    clinicians: [{ id: clinician.id, skills, idleSince: now, freeSlots: 1 }],
    queues: [...new Map(created.map((t) => [t.queue.id, t.queue])).values()],
    now,
  });
  return { clinic, clinician, expectedTaskId: expected[0]?.taskId ?? null, old: old.id, passedOver: [held.id, unskilled.id, recent.id] };
}

describe('becoming available with waiting tasks (real PostgreSQL)', () => {
  it.each([1, 2, 3, 4, 5, 6])('offers the task a round would choose (random clinic %i)', async (seed) => {
    const now = new Date();
    const { clinic, clinician, expectedTaskId, old, passedOver } = await randomClinic(seed, now);
    expect(expectedTaskId).not.toBeNull();
    if (seed % 2) expect(expectedTaskId).toBe(old);
    expect(passedOver).not.toContain(expectedTaskId);

    const result = await becomeAvailable(clinician.id, clinic.id, now);
    expect(result.busy).toBe(false);
    const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: clinician.id, state: 'PENDING' } });
    expect(result.offerId).toBe(offer.id);
    expect(offer.taskId).toBe(expectedTaskId);
    expect((await db.task.findUniqueOrThrow({ where: { id: offer.taskId } })).state).toBe('OFFERED');
  });

  it('leaves the choice to a round when another clinician is free', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const [speaksEnglish, other] = [await createStaff(clinic.id), await createStaff(clinic.id)];
    await db.clinicianPresence.createMany({
      data: [
        { userId: speaksEnglish.id, clinicId: clinic.id, state: 'OFFLINE', skills: ['lang:en'] },
        // Free for a while already, but may not take the only waiting task.
        { userId: other.id, clinicId: clinic.id, state: 'AVAILABLE', idleSince: new Date(now.getTime() - 600_000) },
      ],
    });
    const task = await db.task.create({
      data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB', requiredSkills: ['lang:en'], enqueuedAt: now },
    });

    expect(await becomeAvailable(speaksEnglish.id, clinic.id, now)).toEqual({ busy: false, offerId: null });
    expect(await db.offer.count({ where: { taskId: task.id } })).toBe(0);
    await dispatchClinic(clinic.id, now);
    expect((await db.offer.findFirstOrThrow({ where: { taskId: task.id, state: 'PENDING' } })).clinicianId).toBe(speaksEnglish.id);
    expect(await db.offer.count({ where: { clinicianId: other.id } })).toBe(0);
  });

  it('refuses a clinician whose consult is still open, changing nothing', async () => {
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id);
    await db.clinicianPresence.create({ data: { userId: doctor.id, clinicId: clinic.id, state: 'BUSY' } });
    await db.task.create({
      data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB', state: 'ASSIGNED', assignedClinicianId: doctor.id },
    });
    await db.task.create({ data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB' } });
    expect(await becomeAvailable(doctor.id, clinic.id, new Date())).toEqual({ busy: true, offerId: null });
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: doctor.id } })).state).toBe('BUSY');
    expect(await db.offer.count({ where: { clinicianId: doctor.id } })).toBe(0);
  });

  it('finds a task further back for a clinician who may take none of the first ones', async () => {
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id);
    const start = Date.now() - 3_600_000;
    await db.task.createMany({
      data: Array.from({ length: 40 }, (_, i) => ({
        clinicId: clinic.id,
        queueId: clinic.followUpQueueId,
        channel: 'WEB' as const,
        requiredSkills: ['lang:en'],
        enqueuedAt: new Date(start + i * 1000),
      })),
    });
    const plain = await db.task.create({ data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB', enqueuedAt: new Date() } });
    await setPresence({ kind: 'staff', id: doctor.id, name: doctor.name, role: 'CLINICIAN', clinicId: clinic.id }, 'AVAILABLE');
    expect((await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } })).taskId).toBe(plain.id);
  });

  it('does not make available a clinician whose accept commits while the statement waits', async () => {
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id);
    await db.clinicianPresence.create({ data: { userId: doctor.id, clinicId: clinic.id, state: 'AVAILABLE' } });
    const task = await db.task.create({ data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB', state: 'OFFERED' } });

    // The accept's changes, held open in their own transaction.
    const accept = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await accept.connect();
    await accept.query('BEGIN');
    await accept.query(`UPDATE "Task" SET state = 'ASSIGNED', "assignedClinicianId" = $1 WHERE id = $2`, [doctor.id, task.id]);
    await accept.query(`UPDATE "ClinicianPresence" SET state = 'BUSY' WHERE "userId" = $1`, [doctor.id]);

    const pressed = becomeAvailable(doctor.id, clinic.id, new Date());
    // Commit only once the statement has taken its snapshot and waits for the presence row.
    for (let waited = 0; waited < 5000; waited += 20) {
      const [row] = await db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ClinicianPresence%'`;
      if (Number(row!.n) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await accept.query('COMMIT');
    await accept.end();

    expect(await pressed).toEqual({ busy: true, offerId: null });
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: doctor.id } })).state).toBe('BUSY');
  });
});

/** Clinicians of one clinic (some already available) and waiting tasks some of them may not take. */
async function randomGroupClinic(seed: number, now: Date) {
  const rnd = seededRandom(seed * 7919);
  const clinic = await createClinic({ queue: { agingSecondsPerPriority: 120, preferredClinicianSeconds: 300 } });
  const size = 2 + (seed % 3);
  const members: { id: string; skills: string[]; idleSince: Date }[] = [];
  for (let i = 0; i < size; i++) {
    const { id } = await createStaff(clinic.id);
    const skills = ['lang:en', SPECIALIST_SKILL].filter(() => rnd() < 0.5);
    // An available clinician keeps their idle time; one who was offline becomes idle now.
    const available = rnd() < 0.5;
    const idleSince = available ? new Date(now.getTime() - Math.floor(1 + rnd() * 600) * 1000) : now;
    await db.clinicianPresence.create({ data: { userId: id, clinicId: clinic.id, state: available ? 'AVAILABLE' : 'OFFLINE', skills, idleSince } });
    members.push({ id, skills, idleSince });
  }
  const colleague = await createStaff(clinic.id);
  await db.task.createMany({
    data: Array.from({ length: 14 }, () =>
      randomWaitingTask(rnd, clinic, now, { englishShare: 0.2, preferredShare: 0.4, preferredAmong: [...members.map((m) => m.id), colleague.id] }),
    ),
  });
  const created = await db.task.findMany({ where: { clinicId: clinic.id }, include: { queue: true } });
  const declines = [pick(rnd, created), pick(rnd, created)].map((task) => ({ taskId: task.id, clinicianId: pick(rnd, members).id }));
  await db.offer.createMany({
    data: declines.map((d) => ({ ...d, state: 'DECLINED' as const, expiresAt: now, respondedAt: new Date(now.getTime() - 5_000) })),
  });
  const expected = matchTasks({
    tasks: created.map((t): WaitingTask => ({ ...t, declinedBy: declines.filter((d) => d.taskId === t.id).map((d) => d.clinicianId) })),
    clinicians: members.map((m) => ({ ...m, freeSlots: 1 })),
    queues: [...new Map(created.map((t) => [t.queue.id, t.queue])).values()],
    now,
  });
  return { clinic, members, expected };
}

describe('clinicians becoming available together (one statement, real PostgreSQL)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('offers each of them the task a round would choose (random clinic %i)', async (seed) => {
    const now = new Date();
    const { clinic, members, expected } = await randomGroupClinic(seed, now);
    expect(expected.length).toBeGreaterThan(0);

    const rows = await becomeAvailableTogether(
      clinic.id,
      members.map((m) => ({ clinicianId: m.id, at: now })),
    );
    const offers = await db.offer.findMany({ where: { clinicianId: { in: members.map((m) => m.id) }, state: 'PENDING' } });
    expect(new Map(offers.map((o) => [o.clinicianId, o.taskId]))).toEqual(new Map(expected.map((m) => [m.clinicianId, m.taskId])));
    expect(rows).toEqual(members.map((m) => ({ busy: false, raced: false, offerId: offers.find((o) => o.clinicianId === m.id)?.id ?? null })));
    const states = await db.clinicianPresence.findMany({ where: { userId: { in: members.map((m) => m.id) } } });
    expect(states.map((p) => p.state)).toEqual(members.map(() => 'AVAILABLE'));
    for (const m of members) expect(states.find((p) => p.userId === m.id)!.idleSince).toEqual(m.idleSince);
  });

  it('leaves the choice to a round when one of them has room for more than one task', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const [nurse, doctor] = [await createStaff(clinic.id, 'NURSE'), await createStaff(clinic.id)];
    await db.clinicianPresence.createMany({
      data: [
        { userId: nurse.id, clinicId: clinic.id, state: 'OFFLINE', capacity: 2 },
        { userId: doctor.id, clinicId: clinic.id, state: 'OFFLINE' },
      ],
    });
    await db.task.createMany({
      data: [0, 1, 2].map((i) => ({
        clinicId: clinic.id,
        queueId: clinic.followUpQueueId,
        channel: 'WEB' as const,
        enqueuedAt: new Date(now.getTime() - i * 1000),
      })),
    });

    const rows = await becomeAvailableTogether(
      clinic.id,
      [nurse, doctor].map((s) => ({ clinicianId: s.id, at: now })),
    );
    expect(rows).toEqual([
      { busy: false, raced: false, offerId: null },
      { busy: false, raced: false, offerId: null },
    ]);
    expect(await db.offer.count({ where: { task: { clinicId: clinic.id } } })).toBe(0);
    await dispatchClinic(clinic.id, now);
    expect(await db.offer.count({ where: { task: { clinicId: clinic.id }, state: 'PENDING' } })).toBe(3);
  });

  it('refuses the one whose consult is open and offers the others', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const [busy, free] = [await createStaff(clinic.id), await createStaff(clinic.id)];
    await db.clinicianPresence.createMany({
      data: [
        { userId: busy.id, clinicId: clinic.id, state: 'BUSY' },
        { userId: free.id, clinicId: clinic.id, state: 'OFFLINE' },
      ],
    });
    await db.task.create({
      data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB', state: 'ASSIGNED', assignedClinicianId: busy.id },
    });
    const waiting = await db.task.create({ data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, channel: 'WEB' } });

    const [busyRow, freeRow] = await becomeAvailableTogether(
      clinic.id,
      [busy, free].map((s) => ({ clinicianId: s.id, at: now })),
    );
    expect(busyRow).toEqual({ busy: true, raced: false, offerId: null });
    const offer = await db.offer.findFirstOrThrow({ where: { taskId: waiting.id } });
    expect(freeRow).toEqual({ busy: false, raced: false, offerId: offer.id });
    expect(offer.clinicianId).toBe(free.id);
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: busy.id } })).state).toBe('BUSY');
  });
});
