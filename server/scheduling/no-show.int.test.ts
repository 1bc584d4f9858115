import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { db } from '@/server/db';
import { livekit } from '@/server/livekit';
import { joinConsult } from '@/server/consult/consult-service';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { addVisit, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { NO_SHOW_GRACE_MINUTES, sweepNoShows } from './no-show';

const caller = (principal: Parameters<typeof createContext>[0]) => createCaller(createContext(principal));
const minutes = (n: number) => n * 60_000;

describe('a visit the patient never came to (real PostgreSQL and LiveKit)', () => {
  it('the GP joins a scheduled visit and the patient never comes: the GP can mark no-show, cancel or reschedule', async () => {
    const s = await createVisitScenario();
    const gp = staffPrincipal({ ...s.doctor, role: 'CLINICIAN' });
    await joinConsult(livekit(), gp, s.appointment.id);
    // Opening the room does not start the visit: nothing is stuck in progress.
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('SCHEDULED');
    // Ending a consult that never started is refused, with the way out named by the UI.
    await expect(caller(gp).consult.end({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'CONFLICT' });

    await caller(gp).schedule.markNoShow({ appointmentId: s.appointment.id });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('NO_SHOW');
    expect(await db.message.count({ where: { appointmentId: s.appointment.id, status: 'QUEUED' } })).toBe(0);
    expect(await db.auditEvent.count({ where: { subject: `Appointment/${s.appointment.id}`, action: 'appointment.no-show' } })).toBe(1);

    // The same visit opened by the GP can instead be cancelled, or moved.
    const other = await addVisit(s.clinic.id, s.doctor.id);
    await joinConsult(livekit(), gp, other.appointment.id);
    await caller(gp).schedule.cancel({ appointmentId: other.appointment.id, reason: 'Patient phoned: unwell' });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: other.appointment.id } })).status).toBe('CANCELLED');
  });

  it('refuses a no-show for a patient who came, and for staff of another clinic or admins', async () => {
    const s = await createVisitScenario();
    const gp = staffPrincipal({ ...s.doctor, role: 'CLINICIAN' });
    await enqueueForAppointment(patientPrincipal(s));
    await expect(caller(gp).schedule.markNoShow({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: expect.objectContaining({ reason: 'patientCame' }),
    });
    await setPresence(gp, 'AVAILABLE');
    const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: gp.id, state: 'PENDING' } });
    await acceptOffer(gp, offer.id);
    await expect(caller(gp).schedule.markNoShow({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'CONFLICT' });

    const elsewhere = await createVisitScenario();
    const stranger = staffPrincipal({ ...elsewhere.doctor, role: 'CLINICIAN' });
    const fresh = await addVisit(s.clinic.id, s.doctor.id);
    await expect(caller(stranger).schedule.markNoShow({ appointmentId: fresh.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin = staffPrincipal({ ...(await createStaff(s.clinic.id, 'ADMIN')), role: 'ADMIN' });
    await expect(caller(admin).schedule.markNoShow({ appointmentId: fresh.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: fresh.appointment.id } })).status).toBe('SCHEDULED');
  });

  it('the sweeper marks a visit left open past its slot and the grace as a no-show, and only such visits', async () => {
    const s = await createVisitScenario();
    const gp = staffPrincipal({ ...s.doctor, role: 'CLINICIAN' });
    await joinConsult(livekit(), gp, s.appointment.id);
    const served = await addVisit(s.clinic.id, s.doctor.id);
    await enqueueForAppointment(patientPrincipal(served));
    await setPresence(gp, 'AVAILABLE');
    await acceptOffer(gp, (await db.offer.findFirstOrThrow({ where: { clinicianId: gp.id, state: 'PENDING' } })).id);
    const slotEnd = s.appointment.startsAt.getTime() + minutes(15);

    await sweepNoShows(new Date(slotEnd + minutes(NO_SHOW_GRACE_MINUTES) - 1000));
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('SCHEDULED');
    await sweepNoShows(new Date(slotEnd + minutes(NO_SHOW_GRACE_MINUTES) + 1000));
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('NO_SHOW');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: served.appointment.id } })).status).toBe('IN_PROGRESS');
  });
});
