import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { addVisit, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { acceptOffer } from './offers';
import { completeTask } from './task-completion';
import { groupedStatementStats } from './grouped-statement-stats';
import { enqueueForAppointment } from './patient-queue';
import { setPresence } from './presence';

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
/** A call's outcome as a value: its result, or the error's code. */
const outcome = <T>(call: Promise<T>) =>
  call.then(
    (value) => ({ value }),
    (error: { code?: string }) => ({ error: error.code ?? String(error) }),
  );
const delta = (before: { statements: number; calls: number }, after: { statements: number; calls: number }) => ({
  statements: after.statements - before.statements,
  calls: after.calls - before.calls,
});

/** A clinic with `n` clinicians, each with a pending offer for one waiting patient. */
async function cliniciansWithOffers(n: number) {
  const s = await createVisitScenario({ queue: { preferredClinicianSeconds: 0 } });
  const clinicians = [
    staffPrincipal(s.doctor),
    ...(await Promise.all(Array.from({ length: n - 1 }, () => createStaff(s.clinic.id, 'CLINICIAN')))).map(staffPrincipal),
  ];
  const visits = [s, ...(await Promise.all(Array.from({ length: n - 1 }, () => addVisit(s.clinic.id, s.doctor.id))))];
  for (const visit of visits) {
    await enqueueForAppointment(patientPrincipal(visit));
  }
  const offers = [];
  for (const clinician of clinicians) {
    await setPresence(clinician, 'AVAILABLE');
    offers.push(await db.offer.findFirstOrThrow({ where: { clinicianId: clinician.id, state: 'PENDING' }, include: { task: true } }));
  }
  return { clinic: s.clinic, clinicians, offers };
}

describe('accepts, completions and becoming available arriving together (real PostgreSQL)', () => {
  it('go as shared statements, and each caller gets the answer its own call would have had', async () => {
    const { clinicians, offers } = await cliniciansWithOffers(6);
    const colleague = staffPrincipal(await createStaff(clinicians[0]!.clinicId, 'CLINICIAN'));
    const before = groupedStatementStats().accept;

    const [valid, twice, foreign, unknown, expired] = await Promise.all([
      Promise.all(clinicians.slice(0, 5).map((c, i) => outcome(acceptOffer(c, offers[i]!.id)))),
      outcome(acceptOffer(clinicians[0]!, offers[0]!.id)),
      outcome(acceptOffer(colleague, offers[1]!.id)),
      outcome(acceptOffer(clinicians[2]!, 'no-such-offer')),
      outcome(acceptOffer(clinicians[5]!, offers[5]!.id, later(60))),
    ]);

    expect(valid).toEqual(offers.slice(0, 5).map((o) => ({ value: { taskId: o.taskId, appointmentId: o.task.appointmentId } })));
    expect(twice).toEqual({ error: 'CONFLICT' });
    expect(foreign).toEqual({ error: 'FORBIDDEN' });
    expect(unknown).toEqual({ error: 'NOT_FOUND' });
    expect(expired).toEqual({ error: 'CONFLICT' });
    const used = delta(before, groupedStatementStats().accept);
    expect(used.calls).toBe(9);
    // The first call went alone; the other eight waited for it and went together, except the second
    // accept of the same offer, which waits for the first one to commit.
    expect(used.statements).toBeLessThanOrEqual(3);

    for (const [i, offer] of offers.entries()) {
      const task = await db.task.findUniqueOrThrow({ where: { id: offer.taskId } });
      const presence = await db.clinicianPresence.findUniqueOrThrow({ where: { userId: clinicians[i]!.id } });
      const state = (await db.offer.findUniqueOrThrow({ where: { id: offer.id } })).state;
      if (i < 5) {
        expect({ task: task.state, by: task.assignedClinicianId, presence: presence.state, offer: state }).toEqual({
          task: 'ASSIGNED',
          by: clinicians[i]!.id,
          presence: 'BUSY',
          offer: 'ACCEPTED',
        });
        expect((await db.appointment.findUniqueOrThrow({ where: { id: task.appointmentId! } })).status).toBe('IN_PROGRESS');
        expect(await db.auditEvent.count({ where: { action: 'routing.offer-accepted', subject: `Task/${task.id}` } })).toBe(1);
      } else {
        // The expired accept changed nothing.
        expect({ task: task.state, presence: presence.state, offer: state }).toEqual({ task: 'OFFERED', presence: 'AVAILABLE', offer: 'PENDING' });
      }
    }

    const completing = groupedStatementStats().complete;
    const appointments = offers.map((o) => o.task.appointmentId!);
    const [ended, again, notTheirs, notStarted] = await Promise.all([
      Promise.all(clinicians.slice(0, 4).map((c, i) => outcome(completeTask(c, appointments[i]!)))),
      outcome(completeTask(clinicians[0]!, appointments[0]!)),
      outcome(completeTask(colleague, appointments[4]!)),
      outcome(completeTask(clinicians[5]!, appointments[5]!)),
    ]);
    expect(ended).toEqual(Array.from({ length: 4 }, () => ({ value: { completed: true } })));
    expect(again).toEqual({ error: 'CONFLICT' });
    expect(notTheirs).toEqual({ error: 'FORBIDDEN' });
    expect(notStarted).toEqual({ error: 'CONFLICT' });
    expect(delta(completing, groupedStatementStats().complete).statements).toBeLessThanOrEqual(3);

    for (const [i, appointmentId] of appointments.entries()) {
      const task = await db.task.findFirstOrThrow({ where: { appointmentId } });
      const visit = await db.appointment.findUniqueOrThrow({ where: { id: appointmentId } });
      const presence = await db.clinicianPresence.findUniqueOrThrow({ where: { userId: clinicians[i]!.id } });
      const expected = i < 4 ? ['COMPLETED', 'COMPLETED', 'WRAP_UP'] : i === 4 ? ['ASSIGNED', 'IN_PROGRESS', 'BUSY'] : ['OFFERED', 'SCHEDULED', 'AVAILABLE'];
      expect([task.state, visit.status, presence.state]).toEqual(expected);
    }
  });

  it('becoming available: clinicians who press together share statements and each is offered a different patient', async () => {
    const s = await createVisitScenario({ queue: { preferredClinicianSeconds: 0 } });
    const clinicians = [
      staffPrincipal(s.doctor),
      ...(await Promise.all(Array.from({ length: 5 }, () => createStaff(s.clinic.id, 'CLINICIAN')))).map(staffPrincipal),
    ];
    const visits = [s, ...(await Promise.all(Array.from({ length: 5 }, () => addVisit(s.clinic.id, s.doctor.id))))];
    for (const visit of visits) {
      await enqueueForAppointment(patientPrincipal(visit));
    }
    const before = groupedStatementStats().becomeAvailable;

    const pressed = await Promise.all([...clinicians, clinicians[0]!].map((c) => outcome(setPresence(c, 'AVAILABLE'))));

    expect(pressed).toEqual([...clinicians, clinicians[0]!].map(() => ({ value: { state: 'AVAILABLE' } })));
    const used = delta(before, groupedStatementStats().becomeAvailable);
    expect(used.calls).toBe(7);
    // The first press went alone, the next five together; the second press of the same clinician
    // waited for their first one.
    expect(used.statements).toBeLessThanOrEqual(3);
    const offers = await db.offer.findMany({ where: { task: { clinicId: s.clinic.id } }, include: { task: true } });
    expect(offers.map((o) => o.state)).toEqual(offers.map(() => 'PENDING'));
    expect(new Set(offers.map((o) => o.clinicianId))).toEqual(new Set(clinicians.map((c) => c.id)));
    expect(new Set(offers.map((o) => o.task.appointmentId))).toEqual(new Set(visits.map((v) => v.appointment.id)));
    expect(offers.map((o) => o.task.state)).toEqual(offers.map(() => 'OFFERED'));
    const presence = await db.clinicianPresence.findMany({ where: { userId: { in: clinicians.map((c) => c.id) } } });
    expect(presence.map((p) => p.state)).toEqual(clinicians.map(() => 'AVAILABLE'));
  });
});
