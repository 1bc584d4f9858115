import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { addVisit, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { acceptOffer, declineOffer } from './offers';
import { enqueueForAppointment, leaveQueue } from './patient-queue';
import { setPresence } from './presence';
import { sweep } from './sweeper';
import { completeTask } from './task-completion';
import { waitingStatus } from './waiting-room-status';

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const pendingOfferFor = (clinicianId: string) => db.offer.findFirst({ where: { clinicianId, state: 'PENDING' } });

async function scenarioWithWaitingPatient(options: Parameters<typeof createVisitScenario>[0] = {}) {
  const s = await createVisitScenario(options);
  const task = await enqueueForAppointment(patientPrincipal(s));
  return { ...s, task };
}

describe('routing (real PostgreSQL)', () => {
  it('gives a reconnecting patient the same task, even when requests race', async () => {
    const s = await createVisitScenario();
    const tasks = await Promise.all(Array.from({ length: 6 }, () => enqueueForAppointment(patientPrincipal(s))));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(1);
    expect(await db.task.count({ where: { appointmentId: s.appointment.id } })).toBe(1);
  });

  it('offers the patient to their own doctor when available; accepting assigns in one step', async () => {
    const s = await scenarioWithWaitingPatient();
    expect(await waitingStatus(patientPrincipal(s))).toMatchObject({ state: 'WAITING', position: 1 });
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    const offer = await pendingOfferFor(s.doctor.id);
    expect(offer?.taskId).toBe(s.task.id);

    const result = await acceptOffer(staffPrincipal(s.doctor), offer!.id);
    expect(result).toEqual({ taskId: s.task.id, appointmentId: s.appointment.id });
    const task = await db.task.findUniqueOrThrow({ where: { id: s.task.id } });
    expect(task).toMatchObject({ state: 'ASSIGNED', assignedClinicianId: s.doctor.id });
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('BUSY');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('IN_PROGRESS');
    expect(await waitingStatus(patientPrincipal(s))).toEqual({ state: 'ASSIGNED', taskId: s.task.id, appointmentId: s.appointment.id });
  });

  it('refuses accepting twice, someone else’s offer and an expired offer, changing nothing', async () => {
    const s = await scenarioWithWaitingPatient();
    const colleague = await createStaff(s.clinic.id, 'CLINICIAN');
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    const offer = (await pendingOfferFor(s.doctor.id))!;

    await expect(acceptOffer(staffPrincipal(colleague), offer.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(acceptOffer(staffPrincipal(s.doctor), offer.id, later(60))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await db.offer.findUniqueOrThrow({ where: { id: offer.id } })).state).toBe('PENDING');
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).state).toBe('OFFERED');

    await acceptOffer(staffPrincipal(s.doctor), offer.id);
    await expect(acceptOffer(staffPrincipal(s.doctor), offer.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(declineOffer(staffPrincipal(s.doctor), offer.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).state).toBe('ASSIGNED');
  });

  it('returns a declined task to its original place and does not offer it straight back', async () => {
    const s = await scenarioWithWaitingPatient({ queue: { preferredClinicianSeconds: 0 } });
    const second = await addVisit(s.clinic.id, s.doctor.id);
    await enqueueForAppointment(patientPrincipal(second));
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    const first = (await pendingOfferFor(s.doctor.id))!;
    expect(first.taskId).toBe(s.task.id);

    await declineOffer(staffPrincipal(s.doctor), first.id);
    const task = await db.task.findUniqueOrThrow({ where: { id: s.task.id } });
    expect(task.state).toBe('WAITING');
    expect(task.enqueuedAt).toEqual(s.task.enqueuedAt);
    expect(await waitingStatus(patientPrincipal(s))).toMatchObject({ position: 1 });
    // The doctor is offered the next patient instead of the one they just declined.
    expect((await pendingOfferFor(s.doctor.id))?.taskId).not.toBe(s.task.id);
  });

  it('times out an unanswered offer: task back in line, clinician not responding until available again', async () => {
    const s = await scenarioWithWaitingPatient();
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    const offer = (await pendingOfferFor(s.doctor.id))!;
    await sweep(later(25));
    expect((await db.offer.findUniqueOrThrow({ where: { id: offer.id } })).state).toBe('TIMED_OUT');
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).state).toBe('WAITING');
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('NOT_RESPONDING');
    expect(await pendingOfferFor(s.doctor.id)).toBeNull();

    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    expect((await pendingOfferFor(s.doctor.id))?.taskId).toBe(s.task.id);
  });

  it('rescinds the offer of a clinician who goes offline during it', async () => {
    const s = await scenarioWithWaitingPatient();
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    const offer = (await pendingOfferFor(s.doctor.id))!;
    await setPresence(staffPrincipal(s.doctor), 'OFFLINE');
    expect((await db.offer.findUniqueOrThrow({ where: { id: offer.id } })).state).toBe('RESCINDED');
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).state).toBe('WAITING');
    await expect(acceptOffer(staffPrincipal(s.doctor), offer.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps a clinician in a consult busy: going offline is refused until the consult ends, then allowed', async () => {
    const s = await scenarioWithWaitingPatient();
    const doctor = staffPrincipal(s.doctor);
    await setPresence(doctor, 'AVAILABLE');
    await acceptOffer(doctor, (await pendingOfferFor(s.doctor.id))!.id);
    await expect(setPresence(doctor, 'OFFLINE')).rejects.toMatchObject({ code: 'CONFLICT', reason: 'busy' });
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('BUSY');
    await completeTask(doctor, s.appointment.id);
    await setPresence(doctor, 'OFFLINE');
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('OFFLINE');
  });

  it('keeps the place of a patient who reconnects within the grace period and abandons one who does not', async () => {
    const s = await scenarioWithWaitingPatient();
    await sweep(later(20));
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).state).toBe('WAITING');
    await sweep(later(45));
    const task = await db.task.findUniqueOrThrow({ where: { id: s.task.id } });
    expect(task).toMatchObject({ state: 'ABANDONED', endReason: 'disconnected' });
    expect(task.abandonedAt).not.toBeNull();
  });

  it('abandons at once when the patient leaves', async () => {
    const s = await scenarioWithWaitingPatient();
    expect(await leaveQueue(patientPrincipal(s))).toEqual({ left: true });
    expect((await db.task.findUniqueOrThrow({ where: { id: s.task.id } })).endReason).toBe('left');
  });

  it('moves everyone up when the first patient is served', async () => {
    const s = await scenarioWithWaitingPatient();
    const second = await addVisit(s.clinic.id, s.doctor.id);
    await enqueueForAppointment(patientPrincipal(second));
    expect(await waitingStatus(patientPrincipal(second))).toMatchObject({ position: 2, waitingCount: 2 });
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await pendingOfferFor(s.doctor.id))!.id);
    expect(await waitingStatus(patientPrincipal(second))).toMatchObject({ position: 1, waitingCount: 1 });
  });

  it('puts the clinician in wrap-up after the consult and makes them available when it ends', async () => {
    const s = await scenarioWithWaitingPatient({ queue: { wrapUpSeconds: 30 } });
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await pendingOfferFor(s.doctor.id))!.id);
    await expect(setPresence(staffPrincipal(s.doctor), 'AVAILABLE')).rejects.toMatchObject({ code: 'CONFLICT' });
    await completeTask(staffPrincipal(s.doctor), s.appointment.id);
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('WRAP_UP');
    await sweep(later(31));
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: s.doctor.id } })).state).toBe('AVAILABLE');
  });

  it('widens a follow-up from the patient’s own doctor to the whole queue after the configured wait', async () => {
    const s = await scenarioWithWaitingPatient({ queue: { preferredClinicianSeconds: 60 } });
    const colleague = await createStaff(s.clinic.id, 'CLINICIAN');
    await setPresence(staffPrincipal(colleague), 'AVAILABLE');
    expect(await pendingOfferFor(colleague.id)).toBeNull();
    await db.task.update({ where: { id: s.task.id }, data: { lastSeenAt: later(61) } });
    await sweep(later(61));
    expect((await pendingOfferFor(colleague.id))?.taskId).toBe(s.task.id);
  });

  it('overflows a task to the overflow queue after its wait, keeping its seniority', async () => {
    const s = await createVisitScenario();
    const overflow = await db.queue.create({ data: { clinicId: s.clinic.id, slug: 'overflow', name: 'Overflow' } });
    await db.queue.update({ where: { id: s.clinic.followUpQueueId }, data: { overflowQueueId: overflow.id, overflowAfterSeconds: 30 } });
    const task = await enqueueForAppointment(patientPrincipal(s));
    await db.task.update({ where: { id: task.id }, data: { lastSeenAt: later(40) } });
    await sweep(later(40));
    const moved = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(moved).toMatchObject({ queueId: overflow.id, state: 'WAITING' });
    expect(moved.enqueuedAt).toEqual(task.enqueuedAt);
  });

  it('refuses patients and admins at the clinician desk', async () => {
    const s = await scenarioWithWaitingPatient();
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    await expect(setPresence(patientPrincipal(s), 'AVAILABLE')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(setPresence(staffPrincipal(admin), 'AVAILABLE')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
