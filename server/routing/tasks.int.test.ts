import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { livekit } from '@/server/livekit';
import { startWithPatient } from '@/server/consult/community-clinic-service';
import { requestSpecialist } from '@/server/consult/specialist-request-service';
import { finishSpecialistTasks } from '@/server/consult/specialist-tasks';
import { addVisit, createSpecialist, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { acceptOffer } from './offers';
import { enqueueForAppointment } from './patient-queue';
import { setPresence } from './presence';
import { dispatchClinic } from './tasks';

// Real PostgreSQL and the real routing engine: these races are between transactions, so they are run for real,
// many times, rather than reasoned about.
const ROUNDS = 8;

describe('routing tasks written by other domains (real PostgreSQL)', () => {
  it("a nurse's start-with-patient and the clinician's accept at the same moment: exactly one wins, the other gets CONFLICT, capacity holds", async () => {
    const gateway = livekit();
    const outcomes = { accept: 0, nurse: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const s = await createVisitScenario();
      const doctor = staffPrincipal({ ...s.doctor, role: 'CLINICIAN' });
      const nurse = staffPrincipal({ ...(await createStaff(s.clinic.id, 'NURSE')), role: 'NURSE' });
      await enqueueForAppointment(patientPrincipal(s));
      await setPresence(doctor, 'AVAILABLE');
      const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } });

      // The accept starts a little later each round, so the runs cover both orders and the overlap between.
      const acceptAfterMs = round * 15;
      const [accepted, started] = await Promise.allSettled([
        new Promise((resolve) => setTimeout(resolve, acceptAfterMs)).then(() => acceptOffer(doctor, offer.id)),
        startWithPatient(gateway, nurse, s.appointment.id),
      ]);
      const winners = [accepted, started].filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const loser = [accepted, started].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toMatchObject({ code: 'CONFLICT' });
      outcomes[accepted.status === 'fulfilled' ? 'accept' : 'nurse'] += 1;

      const tasks = await db.task.findMany({ where: { appointmentId: s.appointment.id } });
      expect(tasks).toHaveLength(1);
      const winner = accepted.status === 'fulfilled' ? doctor : nurse;
      expect(tasks[0]).toMatchObject({ state: 'ASSIGNED', assignedClinicianId: winner.id });
      // Nobody holds more consults than their capacity, and the loser is not made busy by the attempt.
      for (const person of [doctor, nurse]) {
        const presence = await db.clinicianPresence.findUnique({ where: { userId: person.id } });
        const holding = await db.task.count({ where: { assignedClinicianId: person.id, state: 'ASSIGNED' } });
        expect(holding).toBeLessThanOrEqual(presence?.capacity ?? 1);
        if (person === winner) expect(presence?.state).toBe('BUSY');
        else expect(presence?.state).not.toBe('BUSY');
      }
      expect(await db.offer.count({ where: { taskId: tasks[0]!.id, state: 'PENDING' } })).toBe(0);
    }
    console.info(`accept won ${outcomes.accept}, start-with-patient won ${outcomes.nurse} of ${ROUNDS}`);
  }, 60_000);

  it('a nurse already holding a consult cannot take a second patient directly (capacity 1)', async () => {
    const gateway = livekit();
    const s = await createVisitScenario();
    const nurse = staffPrincipal({ ...(await createStaff(s.clinic.id, 'NURSE')), role: 'NURSE' });
    await startWithPatient(gateway, nurse, s.appointment.id);
    const other = await addVisit(s.clinic.id, s.doctor.id);
    await expect(startWithPatient(gateway, nurse, other.appointment.id)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'busy' });
    expect(await db.task.count({ where: { appointmentId: other.appointment.id } })).toBe(0);
    expect((await db.appointment.findUniqueOrThrow({ where: { id: other.appointment.id } })).status).toBe('SCHEDULED');
  });

  it('ending a consult while a dispatch round offers its specialist request leaves no pending offer on the cancelled task', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const s = await createVisitScenario();
      const doctor = staffPrincipal({ ...s.doctor, role: 'CLINICIAN' });
      await enqueueForAppointment(patientPrincipal(s));
      await setPresence(doctor, 'AVAILABLE');
      const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } });
      await acceptOffer(doctor, offer.id);
      const specialist = staffPrincipal({ ...(await createSpecialist(s.clinic.id, ['cardiology'])), role: 'CLINICIAN' });
      const { requestId } = await requestSpecialist(doctor, { appointmentId: s.appointment.id, department: 'cardiology', urgency: 'ROUTINE' });
      const request = await db.specialistRequest.findUniqueOrThrow({ where: { id: requestId } });
      // The specialist becomes free without a round of their own; the race is the next round against the end.
      await db.clinicianPresence.update({ where: { userId: specialist.id }, data: { state: 'AVAILABLE' } });

      await Promise.all([dispatchClinic(s.clinic.id), finishSpecialistTasks(s.appointment.id)]);

      // Whichever committed first, nobody accepted: the request ends withdrawn, with no offer left ringing
      // (whose timeout would mark the specialist not responding).
      const task = await db.task.findUniqueOrThrow({ where: { id: request.taskId } });
      expect(task).toMatchObject({ state: 'CANCELLED', endReason: 'consultEnded' });
      expect(await db.offer.count({ where: { taskId: task.id, state: 'PENDING' } })).toBe(0);
      expect(await db.clinicianPresence.findUniqueOrThrow({ where: { userId: specialist.id } })).not.toMatchObject({ state: 'NOT_RESPONDING' });
    }
  }, 60_000);
});
