import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { telehealthConsentFor } from '@/server/visit/consent-service';
import { createPatient, createStaff, createVisitScenario, createAppointment, patientPrincipal } from '@/server/testing/factories';

// The real LiveKit server started by the test harness.
const verifier = new TokenVerifier(process.env.LIVEKIT_API_KEY!, process.env.LIVEKIT_API_SECRET!);

function staff(user: { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' }): Principal {
  return { kind: 'staff', id: user.id, name: user.name, role: user.role, clinicId: user.clinicId };
}

describe('consult.join (real PostgreSQL and LiveKit)', () => {
  let s: Awaited<ReturnType<typeof createVisitScenario>>;
  beforeAll(async () => {
    s = await createVisitScenario();
  });

  it('gives the doctor a short-lived token for this consult room only', async () => {
    const joined = await createCaller(createContext(staff(s.doctor))).consult.join({ appointmentId: s.appointment.id });
    expect(joined.room).toBe(`consult-${s.appointment.id}`);
    expect(joined.role).toBe('clinician');
    const claims = await verifier.verify(joined.token);
    expect(claims.sub).toBe(s.doctor.id);
    expect(claims.video).toMatchObject({ room: joined.room, roomJoin: true, canPublish: true, canSubscribe: true });
    expect(claims.video?.roomAdmin).toBeUndefined();
    expect(claims.video?.roomCreate).toBeUndefined();
    expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(600);
  });

  it('keeps the patient in the waiting room until a clinician takes them, then lets them in', async () => {
    await expect(createCaller(createContext(patientPrincipal(s))).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const patientCaller = createCaller(createContext(patientPrincipal(s)));
    const doctorCaller = createCaller(createContext(staff(s.doctor)));
    await expect(patientCaller.waitingRoom.join()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { text } = await telehealthConsentFor(patientPrincipal(s), 'en');
    await patientCaller.visit.acceptConsent({ locale: 'en', text });
    await patientCaller.waitingRoom.join();
    await doctorCaller.desk.setPresence({ state: 'AVAILABLE' });
    const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } });
    await doctorCaller.desk.accept({ offerId: offer.id });
    const joined = await createCaller(createContext(patientPrincipal(s))).consult.join({ appointmentId: s.appointment.id });
    expect(joined.role).toBe('patient');
    const claims = await verifier.verify(joined.token);
    expect(claims.sub).toBe(s.patient.id);
    expect(claims.video?.canPublishSources).toEqual(['camera', 'microphone']);
  });

  it('refuses a patient of another visit and staff of another clinic', async () => {
    const other = await createVisitScenario();
    await expect(createCaller(createContext(patientPrincipal(other))).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(createCaller(createContext(staff(other.doctor))).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses anonymous callers, unknown consults and malformed input with the right codes', async () => {
    await expect(createCaller(createContext(null)).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(createCaller(createContext(staff(s.doctor))).consult.join({ appointmentId: 'no-such-visit' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(createCaller(createContext(staff(s.doctor))).consult.join({ appointmentId: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses to open a cancelled visit', async () => {
    const patient = await createPatient(s.clinic.id);
    const cancelled = await createAppointment({
      clinicId: s.clinic.id,
      patientId: patient.id,
      clinicianId: s.doctor.id,
      status: 'CANCELLED',
    });
    await expect(createCaller(createContext(staff(s.doctor))).consult.join({ appointmentId: cancelled.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps admins out of consults and lists only the clinician’s own day', async () => {
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    await expect(createCaller(createContext(staff(admin))).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const colleague = await createStaff(s.clinic.id, 'CLINICIAN');
    const mine = await createCaller(createContext(staff(s.doctor))).appointment.listToday();
    const theirs = await createCaller(createContext(staff(colleague))).appointment.listToday();
    expect(mine.appointments.map((a) => a.id)).toContain(s.appointment.id);
    expect(theirs.appointments.map((a) => a.id)).not.toContain(s.appointment.id);
    const clinicWide = await createCaller(createContext(staff(admin))).appointment.listToday();
    expect(clinicWide.appointments.map((a) => a.id)).toContain(s.appointment.id);
  });

  it('refuses a patient the staff list', async () => {
    await expect(createCaller(createContext(patientPrincipal(s))).appointment.listToday()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('unreachable LiveKit', () => {
  it('is reported as SERVICE_UNAVAILABLE with a reason the UI translates', async () => {
    const { joinConsult } = await import('@/server/consult/consult-service');
    const { createLivekitGateway } = await import('@/server/livekit/livekit-gateway');
    const s = await createVisitScenario();
    const dead = createLivekitGateway({ url: 'ws://127.0.0.1:9', apiKey: 'k', apiSecret: randomBytes(16).toString('hex'), tokenTtlSeconds: 600 });
    await expect(joinConsult(dead, staff(s.doctor), s.appointment.id)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      reason: 'mediaUnavailable',
    });
    // Nothing is half-written: the visit has not moved on and no join was audited.
    const { db } = await import('@/server/db');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('SCHEDULED');
    expect(await db.auditEvent.count({ where: { action: 'consult.join', subject: `Appointment/${s.appointment.id}` } })).toBe(0);
  });
});
