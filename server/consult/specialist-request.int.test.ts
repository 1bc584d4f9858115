import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { sweep } from '@/server/routing/sweeper';
import { deskState } from '@/server/routing/desk-view';
import { createSpecialist, createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { authorizeConsult } from './consult-access';
import { listSpecialistRequests } from './specialist-request-service';
import { keepSpecialistRequestsAlive } from './specialist-tasks';

// Real PostgreSQL, the real routing engine, and the harness's real LiveKit for tokens.
const verifier = new TokenVerifier(process.env.LIVEKIT_API_KEY!, process.env.LIVEKIT_API_SECRET!);

type Staff = { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' };
const staff = (u: Staff): Principal => ({ kind: 'staff', id: u.id, name: u.name, role: u.role, clinicId: u.clinicId });
const caller = (p: Principal) => createCaller(createContext(p));

/** A visit whose patient waited and was taken by the doctor: the consult is running. */
async function runningConsult() {
  const s = await createVisitScenario();
  const patient = patientPrincipal(s);
  await enqueueForAppointment(patient);
  await setPresence(staff(s.doctor), 'AVAILABLE');
  const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } });
  await acceptOffer(staff(s.doctor), offer.id);
  return { ...s, patientPrincipal: patient };
}

describe('specialist requests (real PostgreSQL, routing and LiveKit)', () => {
  let s: Awaited<ReturnType<typeof runningConsult>>;
  beforeAll(async () => {
    s = await runningConsult();
  });

  it('routes the request to an available specialist with the skill, with the patient’s context, into the same room', async () => {
    const gp = caller(staff(s.doctor));
    const { requestId } = await gp.multiparty.requestSpecialist({
      appointmentId: s.appointment.id,
      department: 'cardiology',
      urgency: 'URGENT',
      note: 'New AF?',
    });
    expect((await listSpecialistRequests(s.appointment.id)).find((r) => r.id === requestId)?.state).toBe('waiting');

    // Free clinicians without the skill, or of another department, are not offered it.
    const otherGp = await createStaff(s.clinic.id, 'CLINICIAN');
    await setPresence(staff(otherGp), 'AVAILABLE');
    const dermatologist = await createSpecialist(s.clinic.id, ['dermatology']);
    await setPresence(staff(dermatologist), 'AVAILABLE');
    expect((await deskState(staff(otherGp))).offer).toBeNull();
    expect((await deskState(staff(dermatologist))).offer).toBeNull();

    const cardiologist = await createSpecialist(s.clinic.id, ['cardiology']);
    await setPresence(staff(cardiologist), 'AVAILABLE');
    const desk = await deskState(staff(cardiologist));
    expect(desk.offer).toMatchObject({
      appointmentId: s.appointment.id,
      patientName: `${s.patient.familyName}${s.patient.givenName}`,
      reason: 'Blood pressure follow-up',
      specialistRequest: { requestedBy: s.doctor.name, urgency: 'URGENT', department: 'cardiology', note: 'New AF?' },
    });
    expect((await listSpecialistRequests(s.appointment.id)).find((r) => r.id === requestId)?.state).toBe('offered');

    // Accepted, the cardiologist enters this room as its specialist.
    const accepted = await caller(staff(cardiologist)).desk.accept({ offerId: desk.offer!.id });
    expect(accepted.appointmentId).toBe(s.appointment.id);
    expect((await authorizeConsult(staff(cardiologist), s.appointment.id)).partyRole).toBe('SPECIALIST');
    const joined = await caller(staff(cardiologist)).consult.join({ appointmentId: s.appointment.id });
    expect(joined.partyRole).toBe('SPECIALIST');
    expect(JSON.parse((await verifier.verify(joined.token)).metadata!)).toMatchObject({ partyRole: 'SPECIALIST' });
    const listed = (await listSpecialistRequests(s.appointment.id)).find((r) => r.id === requestId)!;
    expect(listed).toMatchObject({ state: 'accepted', specialistName: cardiologist.name, urgency: 'URGENT' });
    // The patient's own task is untouched by the specialist's.
    expect(await db.task.count({ where: { appointmentId: s.appointment.id, state: 'ASSIGNED', assignedClinicianId: s.doctor.id } })).toBe(1);

    // The specialist writes a note; the GP sees it with the visit.
    await caller(staff(cardiologist)).multiparty.saveSpecialistNote({ appointmentId: s.appointment.id, text: 'ECG: sinus rhythm. No AF.' });
    await expect(caller(staff(otherGp)).multiparty.saveSpecialistNote({ appointmentId: s.appointment.id, text: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    // Ending the consult completes the specialist's task too and puts them into wrap-up.
    await gp.consult.end({ appointmentId: s.appointment.id });
    const request = await db.specialistRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect((await db.task.findUniqueOrThrow({ where: { id: request.taskId } })).state).toBe('COMPLETED');
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: cardiologist.id } })).state).toBe('WRAP_UP');
    expect(await gp.multiparty.specialistNotes({ appointmentId: s.appointment.id })).toEqual([
      expect.objectContaining({ authorName: cardiologist.name, authorRole: 'SPECIALIST', text: 'ECG: sinus rhythm. No AF.' }),
    ]);
    // The specialist can still finish their note after the consult ended.
    await caller(staff(cardiologist)).multiparty.saveSpecialistNote({
      appointmentId: s.appointment.id,
      text: 'ECG: sinus rhythm. No AF. Holter if palpitations recur.',
    });
    expect((await gp.multiparty.specialistNotes({ appointmentId: s.appointment.id }))[0]!.text).toContain('Holter');
    for (const u of [otherGp, dermatologist]) await setPresence(staff(u), 'OFFLINE');
  });

  it('lets only the hosts request, refuses a second live request for one department, and cancels', async () => {
    const c = await runningConsult();
    await expect(
      caller(c.patientPrincipal).multiparty.requestSpecialist({ appointmentId: c.appointment.id, department: 'neurology', urgency: 'ROUTINE' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      caller(staff(c.doctor)).multiparty.requestSpecialist({ appointmentId: c.appointment.id, department: 'podiatry' as 'neurology', urgency: 'ROUTINE' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const nurse = await createStaff(c.clinic.id, 'NURSE');
    const { requestId } = await caller(staff(nurse)).multiparty.requestSpecialist({
      appointmentId: c.appointment.id,
      department: 'neurology',
      urgency: 'ROUTINE',
    });
    await expect(
      caller(staff(c.doctor)).multiparty.requestSpecialist({ appointmentId: c.appointment.id, department: 'neurology', urgency: 'URGENT' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', cause: { reason: 'alreadyRequested' } });

    const stranger = (await createVisitScenario()).doctor;
    await expect(caller(staff(stranger)).multiparty.cancelSpecialistRequest({ requestId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await caller(staff(c.doctor)).multiparty.cancelSpecialistRequest({ requestId });
    expect((await listSpecialistRequests(c.appointment.id))[0]!.state).toBe('cancelled');
    const request = await db.specialistRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(await db.task.findUniqueOrThrow({ where: { id: request.taskId } })).toMatchObject({ state: 'CANCELLED', endReason: 'cancelledByRequester' });
    // Cancelled, the department can be requested again.
    await caller(staff(c.doctor)).multiparty.requestSpecialist({ appointmentId: c.appointment.id, department: 'neurology', urgency: 'ROUTINE' });
  });

  it('keeps a request in the queue while its consult is open and drops it once nobody watches', async () => {
    const c = await runningConsult();
    const { requestId } = await caller(staff(c.doctor)).multiparty.requestSpecialist({
      appointmentId: c.appointment.id,
      department: 'psychiatry',
      urgency: 'ROUTINE',
    });
    const start = Date.now();
    await keepSpecialistRequestsAlive(c.appointment.id, new Date(start + 25_000));
    await sweep(new Date(start + 45_000));
    expect((await listSpecialistRequests(c.appointment.id)).find((r) => r.id === requestId)?.state).toBe('waiting');
    await sweep(new Date(start + 90_000));
    expect((await listSpecialistRequests(c.appointment.id)).find((r) => r.id === requestId)?.state).toBe('cancelled');
  });

  it('community-clinic mode: a nurse starts the consult with the patient at their side and brings in a specialist', async () => {
    const s = await createVisitScenario();
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    const patient = patientPrincipal(s);
    await expect(authorizeConsult(patient, s.appointment.id)).rejects.toMatchObject({ reason: 'notYourTurn' });
    await expect(caller(staff(s.doctor)).multiparty.startWithPatient({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const started = await caller(staff(nurse)).multiparty.startWithPatient({ appointmentId: s.appointment.id });
    expect(started.started).toBe(true);
    expect(await db.task.findFirstOrThrow({ where: { appointmentId: s.appointment.id, state: 'ASSIGNED' } })).toMatchObject({ assignedClinicianId: nurse.id });
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: nurse.id } })).state).toBe('BUSY');
    // The patient may also join on their own phone now; the nurse's token says she sits with the patient.
    expect((await authorizeConsult(patient, s.appointment.id)).partyRole).toBe('PATIENT');
    const nurseJoin = await caller(staff(nurse)).consult.join({ appointmentId: s.appointment.id, withPatient: true });
    expect(JSON.parse((await verifier.verify(nurseJoin.token)).metadata!)).toEqual({ role: 'nurse', partyRole: 'NURSE', withPatient: true });
    // Only a nurse's device stands for the patient.
    const gpJoin = await caller(staff(s.doctor)).consult.join({ appointmentId: s.appointment.id, withPatient: true });
    expect(JSON.parse((await verifier.verify(gpJoin.token)).metadata!)).toEqual({ role: 'clinician', partyRole: 'GP' });

    // The nurse brings in the remote specialist through the specialist queue, and ends the consult.
    const specialist = await createSpecialist(s.clinic.id, ['endocrinology']);
    await caller(staff(nurse)).multiparty.requestSpecialist({ appointmentId: s.appointment.id, department: 'endocrinology', urgency: 'ROUTINE' });
    await setPresence(staff(specialist), 'AVAILABLE');
    const offer = (await deskState(staff(specialist))).offer!;
    expect(offer.specialistRequest?.requestedBy).toBe(nurse.name);
    await caller(staff(specialist)).desk.accept({ offerId: offer.id });
    // The GP may not end a consult the nurse holds; the nurse ends it for everyone.
    await expect(caller(staff(s.doctor)).consult.end({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(staff(specialist)).consult.end({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await caller(staff(nurse)).consult.end({ appointmentId: s.appointment.id });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('COMPLETED');
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: specialist.id } })).state).toBe('WRAP_UP');
  });
});
