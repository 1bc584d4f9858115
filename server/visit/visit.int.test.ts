import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { db } from '@/server/db';
import type { Principal } from '@/server/auth/session-types';
import { createAppointment, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { addDays, weekdayOf } from '@/server/shared/calendar';
import { localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { STANDARD_TELEHEALTH_CONSENT } from './consent-service';

type Scenario = Awaited<ReturnType<typeof createVisitScenario>>;
const doctorOf = (s: Scenario): Principal => ({ kind: 'staff', id: s.doctor.id, name: s.doctor.name, role: 'CLINICIAN', clinicId: s.clinic.id });
/** Moves the scenario's visit to 10:00 clinic time on a Monday a week or more ahead, so intervals land predictably. */
async function onMondayMorning(s: Scenario): Promise<Date> {
  let date = addDays(localDate(new Date(), s.clinic.timeZone), 7);
  while (weekdayOf(date) !== 1) date = addDays(date, 1);
  const startsAt = zonedTimeToUtc(date, '10:00', s.clinic.timeZone);
  await db.appointment.update({ where: { id: s.appointment.id }, data: { startsAt } });
  s.appointment.startsAt = startsAt;
  return startsAt;
}
const note = { freeText: 'Reviewed home readings.', assessment: 'Hypertension, controlled.', plan: 'Continue amlodipine 5 mg.' };

describe('telehealth consent (real PostgreSQL)', () => {
  it('stores the exact text accepted, once, with the time', async () => {
    const s = await createVisitScenario();
    const patient = createCaller(createContext(patientPrincipal(s)));
    const text = STANDARD_TELEHEALTH_CONSENT['zh-CN'];
    const first = await patient.visit.acceptConsent({ locale: 'zh-CN', text });
    const again = await patient.visit.acceptConsent({ locale: 'zh-CN', text });
    expect(again.acceptedAt).toEqual(first.acceptedAt);
    const stored = await db.consent.findMany({ where: { appointmentId: s.appointment.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'TELEHEALTH', text, locale: 'zh_CN', patientId: s.patient.id });
  });

  it('refuses a text other than the one the clinic shows, and staff giving consent for a patient', async () => {
    const s = await createVisitScenario();
    await db.clinic.update({ where: { id: s.clinic.id }, data: { consentTextEn: 'Clinic-specific consent text.' } });
    await expect(
      createCaller(createContext(patientPrincipal(s))).visit.acceptConsent({ locale: 'en', text: STANDARD_TELEHEALTH_CONSENT.en }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(createCaller(createContext(doctorOf(s))).visit.acceptConsent({ locale: 'en', text: 'Clinic-specific consent text.' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await db.consent.count({ where: { appointmentId: s.appointment.id } })).toBe(0);
  });
});

describe('wrap-up (real PostgreSQL)', () => {
  it('saves the note and books the next follow-up after the interval, with its reminders queued', async () => {
    const s = await createVisitScenario();
    await onMondayMorning(s);
    const result = await createCaller(createContext(doctorOf(s))).visit.saveWrapUp({
      appointmentId: s.appointment.id,
      ...note,
      nextFollowUpDays: 28,
      bookNext: true,
    });
    const next = await db.appointment.findUniqueOrThrow({ where: { id: result.nextAppointmentId! } });
    expect(next).toMatchObject({ patientId: s.patient.id, clinicianId: s.doctor.id, previousAppointmentId: s.appointment.id, status: 'SCHEDULED' });
    expect(next.startsAt.getTime() - s.appointment.startsAt.getTime()).toBe(28 * 24 * 3600_000);
    expect(await db.message.count({ where: { appointmentId: next.id, kind: 'BOOKED' } })).toBe(1);

    // Saving again edits the note and books nothing more.
    await createCaller(createContext(doctorOf(s))).visit.saveWrapUp({
      appointmentId: s.appointment.id,
      ...note,
      plan: 'Continue amlodipine 5 mg; walk 30 minutes a day.',
      nextFollowUpDays: 28,
      bookNext: true,
    });
    expect(await db.appointment.count({ where: { previousAppointmentId: s.appointment.id } })).toBe(1);

    const summary = await createCaller(createContext(patientPrincipal(s))).visit.summary();
    expect(summary.plan).toBe('Continue amlodipine 5 mg; walk 30 minutes a day.');
    expect(summary.next?.startsAt).toBe(next.startsAt.toISOString());
    expect(JSON.stringify(summary)).not.toContain(note.assessment);
  });

  it('books exactly one follow-up when the same wrap-up is saved twice at once (a double submit)', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await createVisitScenario();
      await onMondayMorning(s);
      const doctor = createCaller(createContext(doctorOf(s)));
      const save = () => doctor.visit.saveWrapUp({ appointmentId: s.appointment.id, ...note, nextFollowUpDays: 28, bookNext: true });
      const results = await Promise.all([save(), save()]);
      const followUps = await db.appointment.findMany({ where: { previousAppointmentId: s.appointment.id } });
      expect(followUps).toHaveLength(1);
      expect(results.map((r) => r.nextAppointmentId)).toEqual([followUps[0]!.id, followUps[0]!.id]);
      const stored = await db.visitNote.findUniqueOrThrow({ where: { appointmentId: s.appointment.id } });
      expect(stored.nextAppointmentId).toBe(followUps[0]!.id);
      expect(await db.message.count({ where: { appointment: { previousAppointmentId: s.appointment.id }, kind: 'BOOKED' } })).toBe(1);
    }
  });

  it('moves the next follow-up to the next free slot when that time is taken', async () => {
    const s = await createVisitScenario();
    await onMondayMorning(s);
    const taken = new Date(s.appointment.startsAt.getTime() + 14 * 24 * 3600_000);
    await createAppointment({ clinicId: s.clinic.id, patientId: s.patient.id, clinicianId: s.doctor.id, startsAt: taken });
    const result = await createCaller(createContext(doctorOf(s))).visit.saveWrapUp({
      appointmentId: s.appointment.id,
      ...note,
      nextFollowUpDays: 14,
      bookNext: true,
    });
    const next = await db.appointment.findUniqueOrThrow({ where: { id: result.nextAppointmentId! } });
    expect(next.startsAt.getTime()).toBe(taken.getTime() + 15 * 60_000);
  });

  it('keeps the next follow-up inside working hours: a closed day moves it to the next opening', async () => {
    const s = await createVisitScenario();
    const monday = await onMondayMorning(s);
    // Six days after a Monday is a Sunday, when the clinic is closed.
    const result = await createCaller(createContext(doctorOf(s))).visit.saveWrapUp({
      appointmentId: s.appointment.id,
      ...note,
      nextFollowUpDays: 6,
      bookNext: true,
    });
    const next = await db.appointment.findUniqueOrThrow({ where: { id: result.nextAppointmentId! } });
    const nextMonday = addDays(localDate(monday, s.clinic.timeZone), 7);
    expect(next.startsAt.toISOString()).toBe(zonedTimeToUtc(nextMonday, '08:00', s.clinic.timeZone).toISOString());
  });

  it('lets only clinicians write the assessment and plan: a nurse is refused, a clinician taking over becomes the author', async () => {
    const s = await createVisitScenario();
    await onMondayMorning(s);
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    const refused = await createCaller(createContext(staffPrincipal(nurse)))
      .visit.saveWrapUp({ appointmentId: s.appointment.id, ...note, nextFollowUpDays: 28, bookNext: true })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', cause: { reason: 'clinicianOnly' } });
    expect(await db.visitNote.count({ where: { appointmentId: s.appointment.id } })).toBe(0);
    expect(await db.appointment.count({ where: { previousAppointmentId: s.appointment.id } })).toBe(0);

    await createCaller(createContext(doctorOf(s))).visit.saveWrapUp({ appointmentId: s.appointment.id, ...note, nextFollowUpDays: null, bookNext: false });
    expect(await db.visitNote.findUniqueOrThrow({ where: { appointmentId: s.appointment.id } })).toMatchObject({ authorId: s.doctor.id });

    // A nurse cannot change a note a clinician wrote either.
    await expect(
      createCaller(createContext(staffPrincipal(nurse))).visit.saveWrapUp({
        appointmentId: s.appointment.id,
        ...note,
        plan: 'Stop all tablets.',
        nextFollowUpDays: null,
        bookNext: false,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // Another clinician of the clinic takes the visit over: the note is theirs now.
    const colleague = await createStaff(s.clinic.id, 'CLINICIAN');
    await createCaller(createContext(staffPrincipal(colleague))).visit.saveWrapUp({
      appointmentId: s.appointment.id,
      ...note,
      plan: 'Increase amlodipine to 10 mg.',
      nextFollowUpDays: null,
      bookNext: false,
    });
    const stored = await db.visitNote.findUniqueOrThrow({ where: { appointmentId: s.appointment.id } });
    expect(stored).toMatchObject({ authorId: colleague.id, plan: 'Increase amlodipine to 10 mg.' });
    // Each save is kept with who wrote it, and the audit says whose note was taken over.
    const revisions = await db.visitNoteRevision.findMany({ where: { visitNoteId: stored.id }, orderBy: { createdAt: 'asc' } });
    expect(revisions.map((r) => [r.authorId, r.plan])).toEqual([
      [s.doctor.id, note.plan],
      [colleague.id, 'Increase amlodipine to 10 mg.'],
    ]);
    const audits = await db.auditEvent.findMany({
      where: { action: 'visit.wrap-up-saved', subject: `Appointment/${s.appointment.id}` },
      orderBy: { occurredAt: 'asc' },
    });
    expect(audits.map((a) => [a.actor, a.detail])).toEqual([
      [`staff:${s.doctor.id}`, null],
      [`staff:${colleague.id}`, { tookOverFrom: `staff:${s.doctor.id}` }],
    ]);
  });

  it('refuses an empty plan field by field, and clinicians of other clinics, writing nothing', async () => {
    const s = await createVisitScenario();
    const error = await createCaller(createContext(doctorOf(s)))
      .visit.saveWrapUp({ appointmentId: s.appointment.id, freeText: '', assessment: '', plan: '', nextFollowUpDays: null, bookNext: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    const other = await createVisitScenario();
    const stranger = await createStaff(other.clinic.id, 'CLINICIAN');
    await expect(
      createCaller(createContext({ kind: 'staff', id: stranger.id, name: 'x', role: 'CLINICIAN', clinicId: other.clinic.id })).visit.saveWrapUp({
        appointmentId: s.appointment.id,
        ...note,
        nextFollowUpDays: 7,
        bookNext: true,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await db.visitNote.count({ where: { appointmentId: s.appointment.id } })).toBe(0);
    expect(await db.appointment.count({ where: { previousAppointmentId: s.appointment.id } })).toBe(0);
  });
});
