import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { addVisit, createClinic, createStaff, patientPrincipal } from '@/server/testing/factories';
import { pick, seededRandom } from '@/server/testing/random';
import { compareTasks, type QueueRules } from './matching';
import { queueLineReadCount, waitingStatus, waitingStatusAfterOwnChange } from './waiting-room-status';

// A waiting patient's position is their place in the order the dispatcher offers tasks in
// (matching.ts, compareTasks): priority with aging, then arrival.

describe('queue line positions (real PostgreSQL)', () => {
  it.each([1, 2, 3])('numbers a random line in matching order (seed %i)', async (seed) => {
    const rnd = seededRandom(seed);
    const clinic = await createClinic({ queue: { agingSecondsPerPriority: 600 } });
    const doctor = await createStaff(clinic.id);
    const queue = await db.queue.findUniqueOrThrow({ where: { id: clinic.followUpQueueId } });
    const now = Date.now();
    const sameMoment = new Date(now - 20 * 60_000);
    const tasks: Awaited<ReturnType<typeof db.task.create>>[] = [];
    for (let i = 0; i < 12; i++) {
      const visit = await addVisit(clinic.id, doctor.id);
      const priority = pick(rnd, [0, 0, 1, 2]);
      tasks.push(
        await db.task.create({
          data: {
            clinicId: clinic.id,
            queueId: queue.id,
            channel: 'WEB',
            patientId: visit.patient.id,
            appointmentId: visit.appointment.id,
            // Two arrivals at the same moment with the same priority are ordered by id.
            priority: i === 1 ? tasks[0]!.priority : priority,
            enqueuedAt: i < 2 ? sameMoment : new Date(now - Math.floor(rnd() * 60 * 60_000)),
            state: rnd() < 0.25 ? 'OFFERED' : 'WAITING',
          },
        }),
      );
    }
    const rules = new Map<string, QueueRules>([[queue.id, queue]]);
    const expected = [...tasks].sort((a, b) => compareTasks({ ...a, declinedBy: [] }, { ...b, declinedBy: [] }, rules));
    // Aging must matter in this line, or the test would not tell the orders apart.
    expect(expected.map((t) => t.id)).not.toEqual([...tasks].sort((a, b) => a.enqueuedAt.getTime() - b.enqueuedAt.getTime()).map((t) => t.id));

    const positions = await Promise.all(
      tasks.map(async (task) => {
        const status = await waitingStatus({ kind: 'patient', id: task.patientId!, name: 'P', clinicId: clinic.id, appointmentId: task.appointmentId! });
        expect(status).toMatchObject({ state: task.state, taskId: task.id, waitingCount: 12 });
        return [task.id, status.state === 'WAITING' || status.state === 'OFFERED' ? status.position : null] as const;
      }),
    );
    expect(Object.fromEntries(positions)).toEqual(Object.fromEntries(expected.map((t, i) => [t.id, i + 1])));
  });

  it('answers a change that names the patient from their own task and the last line read, without reading the line again', async () => {
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id);
    const [first, second, later] = [await addVisit(clinic.id, doctor.id), await addVisit(clinic.id, doctor.id), await addVisit(clinic.id, doctor.id)];
    const enqueue = (visit: typeof first, minutesAgo: number) =>
      db.task.create({
        data: {
          clinicId: clinic.id,
          queueId: clinic.followUpQueueId,
          channel: 'WEB',
          patientId: visit.patient.id,
          appointmentId: visit.appointment.id,
          enqueuedAt: new Date(Date.now() - minutesAgo * 60_000),
        },
      });
    const firstTask = await enqueue(first, 10);
    await enqueue(second, 5);
    expect(await waitingStatus(patientPrincipal(second))).toMatchObject({ state: 'WAITING', position: 2, waitingCount: 2 });

    const readsBefore = queueLineReadCount();
    await db.task.update({ where: { id: firstTask.id }, data: { state: 'OFFERED' } });
    expect(await waitingStatusAfterOwnChange(patientPrincipal(first))).toEqual({
      status: expect.objectContaining({ state: 'OFFERED', taskId: firstTask.id, position: 1, waitingCount: 2 }),
      queueId: clinic.followUpQueueId,
    });
    await db.task.update({ where: { id: firstTask.id }, data: { state: 'ASSIGNED', assignedAt: new Date(), assignedClinicianId: doctor.id } });
    expect(await waitingStatusAfterOwnChange(patientPrincipal(first))).toEqual({
      status: { state: 'ASSIGNED', taskId: firstTask.id, appointmentId: first.appointment.id },
      queueId: null,
    });
    expect(queueLineReadCount()).toBe(readsBefore);

    // Queued after the last line read: not in it, so the caller reads the line.
    await enqueue(later, 0);
    expect(await waitingStatusAfterOwnChange(patientPrincipal(later))).toBeNull();
    expect(await waitingStatus(patientPrincipal(later))).toMatchObject({ state: 'WAITING', position: 2, waitingCount: 2 });
  });
});
