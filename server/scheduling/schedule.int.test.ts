import { describe, expect, it } from 'vitest';
import { z, ZodError } from 'zod';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal, StaffRole } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { createAppointment, createClinic, createPatient, createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { addDays, isWorkingDay } from '@/server/shared/calendar';
import { PATIENT_RESCHEDULE_DAYS, PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES } from '@/server/shared/scheduling-config';
import { rescheduleMyAppointment } from './schedule-service';

type Staff = Awaited<ReturnType<typeof createStaff>>;

const staffOf = (user: Staff): Principal => ({ kind: 'staff', id: user.id, name: user.name, role: user.role as StaffRole, clinicId: user.clinicId });
const as = (principal: Principal) => createCaller(createContext(principal));

/** The first clinic working day at least `daysAhead` days after today in the clinic. */
function workingDate(timeZone: string, daysAhead: number): string {
  let date = addDays(localDate(new Date(), timeZone), daysAhead);
  while (!isWorkingDay(date)) date = addDays(date, 1);
  return date;
}

async function clinicWithDoctor(timeZone = 'Asia/Shanghai') {
  const clinic = await createClinic({ timeZone });
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
  return { clinic, doctor, patient, tz: timeZone };
}

async function messagesOf(appointmentId: string) {
  return db.message.findMany({ where: { appointmentId }, orderBy: { createdAt: 'asc' } });
}

describe('booking follow-ups (real PostgreSQL)', () => {
  it('books a visit in clinic time, queues the booking message and reminders, and audits it', async () => {
    const { clinic, doctor, patient, tz } = await clinicWithDoctor();
    const date = workingDate(tz, 2);
    const created = await as(staffOf(doctor)).schedule.create({
      patientId: patient.id,
      clinicianId: doctor.id,
      date,
      time: '10:00',
      durationMinutes: 30,
      reason: '  Blood pressure follow-up  ',
    });
    const startsAt = zonedTimeToUtc(date, '10:00', tz);
    const stored = await db.appointment.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored).toMatchObject({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id, durationMinutes: 30, status: 'SCHEDULED' });
    expect(stored.startsAt.toISOString()).toBe(startsAt.toISOString());
    expect(stored.reason).toBe('Blood pressure follow-up');

    const messages = await messagesOf(created.id);
    const queued = (kind: string) => messages.find((m) => m.kind === kind && m.status === 'QUEUED');
    expect(queued('BOOKED')).toBeDefined();
    expect(queued('REMINDER_24H')?.sendAfter.getTime()).toBe(startsAt.getTime() - 24 * 3600_000);
    expect(queued('REMINDER_15M')?.sendAfter.getTime()).toBe(startsAt.getTime() - 15 * 60_000);
    // Booking issues no link of its own: links go out with the messages.
    expect(await db.accessLink.count({ where: { appointmentId: created.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: 'appointment.created', subject: `Appointment/${created.id}`, actor: `staff:${doctor.id}` } })).toBe(1);
  });

  it('lets nurses and admins book for a clinician of their clinic', async () => {
    const { clinic, doctor, patient, tz } = await clinicWithDoctor();
    const date = workingDate(tz, 2);
    for (const [role, time] of [
      ['NURSE', '08:00'],
      ['ADMIN', '08:30'],
    ] as const) {
      const colleague = await createStaff(clinic.id, role);
      const created = await as(staffOf(colleague)).schedule.create({ patientId: patient.id, clinicianId: doctor.id, date, time, durationMinutes: 15 });
      expect(created.clinicianId).toBe(doctor.id);
    }
  });

  it('refuses an overlap with the clinician’s other visits, and allows back-to-back and cancelled times', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const staff = as(staffOf(doctor));
    const date = workingDate(tz, 2);
    const base = { patientId: patient.id, clinicianId: doctor.id, date };
    const first = await staff.schedule.create({ ...base, time: '10:00', durationMinutes: 30 });
    const overlap = staff.schedule.create({ ...base, time: '10:15', durationMinutes: 30 });
    await expect(overlap).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already has a visit/) });
    await expect(staff.schedule.create({ ...base, time: '09:45', durationMinutes: 30 })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'overlap' },
    });
    await expect(staff.schedule.create({ ...base, time: '10:30', durationMinutes: 15 })).resolves.toMatchObject({ status: 'SCHEDULED' });
    await expect(staff.schedule.create({ ...base, time: '09:30', durationMinutes: 30 })).resolves.toMatchObject({ status: 'SCHEDULED' });

    await staff.schedule.cancel({ appointmentId: first.id });
    await expect(staff.schedule.create({ ...base, time: '10:00', durationMinutes: 30 })).resolves.toMatchObject({ status: 'SCHEDULED' });
  });

  it('books one of two simultaneous requests for the same time', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const other = await createPatient(doctor.clinicId);
    const date = workingDate(tz, 3);
    const results = await Promise.allSettled(
      [patient, other].map((p) => as(staffOf(doctor)).schedule.create({ patientId: p.id, clinicianId: doctor.id, date, time: '11:00', durationMinutes: 20 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
  });

  it('refuses patients and clinicians of another clinic, and people who are not staff', async () => {
    const mine = await clinicWithDoctor();
    const theirs = await clinicWithDoctor();
    const staff = as(staffOf(mine.doctor));
    const date = workingDate(mine.tz, 2);
    await expect(
      staff.schedule.create({ patientId: theirs.patient.id, clinicianId: mine.doctor.id, date, time: '10:00', durationMinutes: 15 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', cause: { reason: 'patientNotInClinic' } });
    await expect(
      staff.schedule.create({ patientId: mine.patient.id, clinicianId: theirs.doctor.id, date, time: '10:00', durationMinutes: 15 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', cause: { reason: 'clinicianNotInClinic' } });

    const booked = await staff.schedule.create({ patientId: mine.patient.id, clinicianId: mine.doctor.id, date, time: '10:00', durationMinutes: 15 });
    const outsider = as(staffOf(theirs.doctor));
    await expect(outsider.schedule.reschedule({ appointmentId: booked.id, date, time: '11:00' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(outsider.schedule.cancel({ appointmentId: booked.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(outsider.schedule.list({ clinicianId: mine.doctor.id, view: 'week' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const s = await createVisitScenario();
    await expect(
      as(patientPrincipal(s)).schedule.create({ patientId: s.patient.id, clinicianId: s.doctor.id, date, time: '10:00', durationMinutes: 15 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as(patientPrincipal(s)).schedule.list({ view: 'day' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createCaller(createContext(null)).schedule.list({ view: 'day' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).toMatchObject({ status: 'SCHEDULED' });
  });

  it('refuses past times, times outside working hours and malformed input, with field errors', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const staff = as(staffOf(doctor));
    const base = { patientId: patient.id, clinicianId: doctor.id, durationMinutes: 15 };
    const yesterday = addDays(localDate(new Date(), tz), -1);
    await expect(staff.schedule.create({ ...base, date: yesterday, time: '10:00' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { reason: 'inPast' },
    });
    const date = workingDate(tz, 2);
    let sunday = date;
    while (isWorkingDay(sunday)) sunday = addDays(sunday, 1);
    for (const [day, time, durationMinutes] of [
      [date, '07:45', 15],
      [date, '17:45', 30],
      [sunday, '10:00', 15],
    ] as const) {
      await expect(staff.schedule.create({ ...base, date: day, time, durationMinutes })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        cause: { reason: 'outsideHours' },
      });
    }
    const malformed = await staff.schedule
      .create({ ...base, patientId: '', date: '2026-02-30', time: '25:00', durationMinutes: 3, reason: 'x'.repeat(201) })
      .catch((error: unknown) => error);
    expect(malformed).toMatchObject({ code: 'BAD_REQUEST' });
    // What the error formatter sends to the browser as `error.data.zodError`.
    const cause = (malformed as { cause: unknown }).cause;
    expect(cause).toBeInstanceOf(ZodError);
    const { fieldErrors } = z.flattenError(cause as ZodError) as { fieldErrors: Record<string, string[]> };
    expect(Object.keys(fieldErrors).sort()).toEqual(['date', 'durationMinutes', 'patientId', 'reason', 'time']);
    expect(fieldErrors.durationMinutes).toEqual(['A visit lasts at least 5 minutes']);
    expect(fieldErrors.patientId).toEqual(['Choose a patient']);
    expect(await db.appointment.count({ where: { clinicianId: doctor.id } })).toBe(0);
  });
});

describe('rescheduling and cancelling (real PostgreSQL)', () => {
  it('moves the same appointment, skips the old reminders, queues new ones and tells the patient', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const staff = as(staffOf(doctor));
    const date = workingDate(tz, 2);
    const booked = await staff.schedule.create({ patientId: patient.id, clinicianId: doctor.id, date, time: '10:00', durationMinutes: 30 });
    const newDate = workingDate(tz, 4);
    const moved = await staff.schedule.reschedule({ appointmentId: booked.id, date: newDate, time: '14:15' });
    const newStart = zonedTimeToUtc(newDate, '14:15', tz);
    expect(moved).toMatchObject({ id: booked.id, durationMinutes: 30 });
    const stored = await db.appointment.findUniqueOrThrow({ where: { id: booked.id } });
    expect(stored.startsAt.toISOString()).toBe(newStart.toISOString());

    const messages = await messagesOf(booked.id);
    const reminders = messages.filter((m) => m.kind === 'REMINDER_24H' || m.kind === 'REMINDER_15M');
    const live = reminders.filter((m) => m.status === 'QUEUED');
    expect(live.map((m) => [m.kind, m.sendAfter.toISOString()]).sort()).toEqual(
      [
        ['REMINDER_15M', new Date(newStart.getTime() - 15 * 60_000).toISOString()],
        ['REMINDER_24H', new Date(newStart.getTime() - 24 * 3600_000).toISOString()],
      ].sort(),
    );
    const oldStart = zonedTimeToUtc(date, '10:00', tz).getTime();
    for (const old of reminders.filter((m) => m.sendAfter.getTime() < oldStart)) expect(old.status).toBe('SKIPPED');
    expect(messages.filter((m) => m.kind === 'RESCHEDULED' && m.status === 'QUEUED')).toHaveLength(1);
    expect(await db.auditEvent.findFirst({ where: { action: 'appointment.rescheduled', subject: `Appointment/${booked.id}` } })).toMatchObject({
      detail: { from: new Date(oldStart).toISOString(), to: newStart.toISOString() },
    });

    // Back to the first time: fresh reminders for it, and the ones for the second time are skipped.
    await staff.schedule.reschedule({ appointmentId: booked.id, date, time: '10:00' });
    const again = (await messagesOf(booked.id)).filter((m) => m.status === 'QUEUED');
    expect(
      again
        .map((m) => [m.kind, m.sendAfter.getTime()])
        .filter(([kind]) => kind !== 'RESCHEDULED')
        .sort(),
    ).toEqual(
      [
        ['REMINDER_15M', oldStart - 15 * 60_000],
        ['REMINDER_24H', oldStart - 24 * 3600_000],
      ].sort(),
    );
    expect(again.filter((m) => m.kind === 'RESCHEDULED')).toHaveLength(1);
  });

  it('refuses moving onto another visit, into the past, or a visit that has started', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const staff = as(staffOf(doctor));
    const date = workingDate(tz, 2);
    const a = await staff.schedule.create({ patientId: patient.id, clinicianId: doctor.id, date, time: '10:00', durationMinutes: 15 });
    await staff.schedule.create({ patientId: patient.id, clinicianId: doctor.id, date, time: '11:00', durationMinutes: 30 });
    await expect(staff.schedule.reschedule({ appointmentId: a.id, date, time: '11:15' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(staff.schedule.reschedule({ appointmentId: a.id, date: addDays(localDate(new Date(), tz), -1), time: '11:15' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { reason: 'inPast' },
    });
    // Moving within its own time (a longer visit overlapping itself) is fine.
    await expect(staff.schedule.reschedule({ appointmentId: a.id, date, time: '10:00', durationMinutes: 45 })).resolves.toMatchObject({
      durationMinutes: 45,
    });

    await db.appointment.update({ where: { id: a.id }, data: { status: 'IN_PROGRESS' } });
    await expect(staff.schedule.reschedule({ appointmentId: a.id, date, time: '15:00' })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'notChangeable' },
    });
    await expect(staff.schedule.cancel({ appointmentId: a.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('cancels: the reminders are skipped, a CANCELLED message is queued, and a waiting patient leaves the queue', async () => {
    const s = await createVisitScenario();
    const staff = as(staffOf(s.doctor));
    const date = workingDate(s.clinic.timeZone, 2);
    const booked = await staff.schedule.create({ patientId: s.patient.id, clinicianId: s.doctor.id, date, time: '10:00', durationMinutes: 15 });
    expect((await messagesOf(booked.id)).filter((m) => m.status === 'QUEUED').length).toBeGreaterThanOrEqual(3);

    await staff.schedule.cancel({ appointmentId: booked.id, reason: 'Patient admitted to hospital' });
    expect(await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).toMatchObject({ status: 'CANCELLED' });
    const messages = await messagesOf(booked.id);
    expect(messages.filter((m) => m.status === 'QUEUED').map((m) => m.kind)).toEqual(['CANCELLED']);
    expect(messages.filter((m) => m.kind !== 'CANCELLED').every((m) => m.status === 'SKIPPED')).toBe(true);
    expect(await db.auditEvent.findFirst({ where: { action: 'appointment.cancelled', subject: `Appointment/${booked.id}` } })).toMatchObject({
      detail: { reason: 'Patient admitted to hospital' },
    });
    await expect(staff.schedule.cancel({ appointmentId: booked.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(staff.schedule.reschedule({ appointmentId: booked.id, date, time: '11:00' })).rejects.toMatchObject({ code: 'CONFLICT' });

    // The scenario's own visit, with the patient in the waiting room.
    await db.task.create({
      data: {
        clinicId: s.clinic.id,
        queueId: s.clinic.followUpQueueId,
        channel: 'WEB',
        patientId: s.patient.id,
        appointmentId: s.appointment.id,
        preferredClinicianId: s.doctor.id,
      },
    });
    await staff.schedule.cancel({ appointmentId: s.appointment.id });
    const task = await db.task.findFirstOrThrow({ where: { appointmentId: s.appointment.id } });
    expect(task).toMatchObject({ state: 'CANCELLED', endReason: 'appointmentCancelled' });
  });
});

describe('the patient moves their own visit (real PostgreSQL)', () => {
  it('lists only free times of their clinician, on the clinic’s working days of the next 14 days', async () => {
    const s = await createVisitScenario();
    const tz = s.clinic.timeZone;
    const date = workingDate(tz, 2);
    const other = await createPatient(s.clinic.id);
    await as(staffOf(s.doctor)).schedule.create({ patientId: other.id, clinicianId: s.doctor.id, date, time: '09:00', durationMinutes: 30 });

    const free = await as(patientPrincipal(s)).schedule.listMyFreeSlots();
    expect(free.appointmentId).toBe(s.appointment.id);
    const today = localDate(new Date(), tz);
    const last = addDays(today, PATIENT_RESCHEDULE_DAYS - 1);
    for (const day of free.days) {
      expect(isWorkingDay(day.date)).toBe(true);
      expect(day.date >= today && day.date <= last).toBe(true);
      for (const slot of day.slots) {
        expect(localDate(slot, tz)).toBe(day.date);
        expect(slot.getTime()).toBeGreaterThan(Date.now() + (PATIENT_RESCHEDULE_MIN_NOTICE_MINUTES - 1) * 60_000);
      }
    }
    const onDate = free.days.find((d) => d.date === date)!.slots.map((slot) => slot.toISOString());
    // The appointment is 15 minutes (the factory's default): 08:45 ends at 09:00 and is free; 09:00 and 09:15 are taken.
    expect(onDate).toContain(zonedTimeToUtc(date, '08:45', tz).toISOString());
    expect(onDate).not.toContain(zonedTimeToUtc(date, '09:00', tz).toISOString());
    expect(onDate).not.toContain(zonedTimeToUtc(date, '09:15', tz).toISOString());
    expect(onDate).toContain(zonedTimeToUtc(date, '09:30', tz).toISOString());

    await expect(as(staffOf(s.doctor)).schedule.listMyFreeSlots()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('moves their visit into a free slot and queues the messages', async () => {
    const { doctor, patient, tz } = await clinicWithDoctor();
    const booked = await as(staffOf(doctor)).schedule.create({
      patientId: patient.id,
      clinicianId: doctor.id,
      date: workingDate(tz, 1),
      time: '16:00',
      durationMinutes: 15,
    });
    // Signed in by their link: checked in.
    await db.appointment.update({ where: { id: booked.id }, data: { status: 'CHECKED_IN' } });
    const me = as(patientPrincipal({ patient, appointment: booked }));
    const free = await me.schedule.listMyFreeSlots();
    const chosen = free.days[1]!.slots[3]!;
    const moved = await me.schedule.rescheduleMine({ appointmentId: booked.id, startsAt: chosen.toISOString() });
    expect(moved.startsAt.toISOString()).toBe(chosen.toISOString());
    const stored = await db.appointment.findUniqueOrThrow({ where: { id: booked.id } });
    expect(stored).toMatchObject({ startsAt: chosen, status: 'SCHEDULED' });
    const messages = await messagesOf(booked.id);
    expect(messages.some((m) => m.kind === 'RESCHEDULED' && m.status === 'QUEUED')).toBe(true);
    expect(messages.some((m) => m.kind === 'REMINDER_15M' && m.status === 'QUEUED' && m.sendAfter.getTime() === chosen.getTime() - 15 * 60_000)).toBe(true);
    expect(await db.auditEvent.count({ where: { action: 'appointment.rescheduled', actor: `patient:${patient.id}` } })).toBe(1);
    // Its new time is not offered back as "another time".
    const after = (await me.schedule.listMyFreeSlots()).days.flatMap((d) => d.slots.map((slot) => slot.getTime()));
    expect(after).not.toContain(chosen.getTime());
    expect(after).toContain(booked.startsAt.getTime()); // the old time is free again
  });

  it('only for their own visit, only into free slots, never into the past, never a closed visit', async () => {
    const s = await createVisitScenario();
    const tz = s.clinic.timeZone;
    const neighbour = await createPatient(s.clinic.id);
    const date = workingDate(tz, 2);
    const theirs = await as(staffOf(s.doctor)).schedule.create({ patientId: neighbour.id, clinicianId: s.doctor.id, date, time: '10:00', durationMinutes: 15 });
    const me = as(patientPrincipal(s));
    const at = (time: string, day = date) => zonedTimeToUtc(day, time, tz).toISOString();

    await expect(me.schedule.rescheduleMine({ appointmentId: theirs.id, startsAt: at('11:00') })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(me.schedule.rescheduleMine({ appointmentId: s.appointment.id, startsAt: at('10:00') })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'overlap' },
    });
    await expect(me.schedule.rescheduleMine({ appointmentId: s.appointment.id, startsAt: at('11:05') })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'notFreeSlot' },
    });
    await expect(
      me.schedule.rescheduleMine({ appointmentId: s.appointment.id, startsAt: at('11:00', workingDate(tz, PATIENT_RESCHEDULE_DAYS + 1)) }),
    ).rejects.toMatchObject({ code: 'CONFLICT', cause: { reason: 'notFreeSlot' } });
    await expect(
      me.schedule.rescheduleMine({ appointmentId: s.appointment.id, startsAt: new Date(Date.now() - 3600_000).toISOString() }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', cause: { reason: 'inPast' } });
    // A free slot half an hour away is too short notice for the clinician.
    const soon = zonedTimeToUtc(date, '10:30', tz);
    await expect(
      rescheduleMyAppointment(patientPrincipal(s), { appointmentId: s.appointment.id, startsAt: soon.toISOString() }, new Date(soon.getTime() - 30 * 60_000)),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'notFreeSlot' });
    expect((await db.appointment.findUniqueOrThrow({ where: { id: theirs.id } })).startsAt.toISOString()).toBe(at('10:00'));
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).startsAt).toEqual(s.appointment.startsAt);

    // Another patient's link cannot move this visit either.
    const stranger = await createVisitScenario();
    await expect(as(patientPrincipal(stranger)).schedule.rescheduleMine({ appointmentId: s.appointment.id, startsAt: at('11:00') })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const closed = await createAppointment({ clinicId: s.clinic.id, patientId: s.patient.id, clinicianId: s.doctor.id, status: 'COMPLETED' });
    const closedPatient = patientPrincipal({ ...s, appointment: closed });
    await expect(as(closedPatient).schedule.listMyFreeSlots()).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(as(closedPatient).schedule.rescheduleMine({ appointmentId: closed.id, startsAt: at('11:00') })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'notChangeable' },
    });
  });
});

describe('day and week views (real PostgreSQL)', () => {
  it('shows a clinician their own week by clinic-local day, and others the chosen clinician', async () => {
    const { clinic, doctor, patient, tz } = await clinicWithDoctor('America/Los_Angeles');
    const colleague = await createStaff(clinic.id, 'CLINICIAN');
    const nurse = await createStaff(clinic.id, 'NURSE');
    const date = workingDate(tz, 2);
    // 17:30 in Los Angeles is the next day in UTC; it still belongs to `date`.
    const late = await as(staffOf(doctor)).schedule.create({ patientId: patient.id, clinicianId: doctor.id, date, time: '17:30', durationMinutes: 30 });
    await as(staffOf(doctor)).schedule.create({ patientId: patient.id, clinicianId: colleague.id, date, time: '09:00', durationMinutes: 15 });

    const week = await as(staffOf(doctor)).schedule.list({ view: 'week', date });
    expect(week.clinician?.id).toBe(doctor.id);
    expect(week.days).toHaveLength(7);
    expect(week.days[0]!.date <= date && date <= week.days[6]!.date).toBe(true);
    expect(week.days.find((d) => d.date === date)!.appointments.map((a) => a.id)).toEqual([late.id]);
    expect(week.days.flatMap((d) => d.appointments)).toHaveLength(1);
    expect(week.days.filter((d) => !d.workingDay)).toHaveLength(1);

    const day = await as(staffOf(nurse)).schedule.list({ view: 'day', date, clinicianId: colleague.id });
    expect(day.days).toHaveLength(1);
    expect(day.days[0]!.appointments.map((a) => a.clinician.id)).toEqual([colleague.id]);

    const patients = await as(staffOf(nurse)).schedule.listPatients({ query: `${patient.familyName}${patient.givenName}` });
    expect(patients.map((p) => p.id)).toEqual([patient.id]);
  });
});
