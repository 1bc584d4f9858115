import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { sendDueMessages } from './outbox-worker';
import { cancelVisitMessages, notifyVisitCancelled, scheduleVisitMessages } from './reminders';
import { startFakeSmsServer, type FakeSmsServer } from './testing/fake-sms-server';
import { TwilioSmsProvider } from './twilio-sms-provider';

const HOUR = 3600_000;
const MINUTE = 60_000;
let fake: FakeSmsServer;
let provider: TwilioSmsProvider;

async function visit(startsAt: Date) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id);
  const appointment = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id, startsAt });
  return { clinic, patient, appointment };
}

const summaryOf = async (appointmentId: string) =>
  (await db.message.findMany({ where: { appointmentId }, orderBy: [{ createdAt: 'asc' }, { sendAfter: 'asc' }] })).map((m) => ({
    kind: m.kind,
    status: m.status,
    sendAfter: m.sendAfter.toISOString(),
    lastError: m.lastError,
  }));

beforeAll(async () => {
  fake = await startFakeSmsServer();
  provider = new TwilioSmsProvider({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+15005550006', baseUrl: fake.baseUrl, timeoutMs: 3000 });
});
afterAll(() => fake.close());

describe('visit messages (real PostgreSQL)', () => {
  it('queues the confirmation now and both reminders, once however often it is called', async () => {
    const now = new Date('2026-12-01T02:00:00.000Z');
    const { appointment } = await visit(new Date('2026-12-03T06:30:00.000Z'));
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }))).toEqual({
      queued: ['BOOKED', 'REMINDER_24H', 'REMINDER_15M'],
    });
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }))).toEqual({ queued: [] });
    expect(await summaryOf(appointment.id)).toEqual([
      { kind: 'BOOKED', status: 'QUEUED', sendAfter: '2026-12-01T02:00:00.000Z', lastError: null },
      { kind: 'REMINDER_24H', status: 'QUEUED', sendAfter: '2026-12-02T06:30:00.000Z', lastError: null },
      { kind: 'REMINDER_15M', status: 'QUEUED', sendAfter: '2026-12-03T06:15:00.000Z', lastError: null },
    ]);
  });

  it('leaves out reminders whose time has passed, and a 24-hour reminder right after the booking', async () => {
    const now = new Date();
    const soon = await visit(new Date(now.getTime() + 2 * HOUR));
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, soon.appointment, { now }))).toEqual({ queued: ['BOOKED', 'REMINDER_15M'] });
    const tooSoon = await visit(new Date(now.getTime() + 10 * MINUTE));
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, tooSoon.appointment, { now }))).toEqual({ queued: ['BOOKED'] });
    const justOverADay = await visit(new Date(now.getTime() + 24 * HOUR + 20 * MINUTE));
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, justOverADay.appointment, { now }))).toEqual({ queued: ['BOOKED', 'REMINDER_15M'] });
  });

  it('on a reschedule, skips the old reminders and queues a RESCHEDULED notice and new reminders', async () => {
    const now = new Date();
    const { clinic, appointment } = await visit(new Date(now.getTime() + 72 * HOUR));
    await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    await sendDueMessages(provider, now, { clinicId: clinic.id });

    const moved = await db.appointment.update({ where: { id: appointment.id }, data: { startsAt: new Date(now.getTime() + 96 * HOUR) } });
    const later = new Date(now.getTime() + HOUR);
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, moved, { now: later }))).toEqual({
      queued: ['RESCHEDULED', 'REMINDER_24H', 'REMINDER_15M'],
    });
    const rows = await summaryOf(appointment.id);
    expect(rows.map((r) => [r.kind, r.status, r.lastError])).toEqual([
      ['BOOKED', 'SENT', null],
      ['REMINDER_24H', 'SKIPPED', 'rescheduled'],
      ['REMINDER_15M', 'SKIPPED', 'rescheduled'],
      ['RESCHEDULED', 'QUEUED', null],
      ['REMINDER_24H', 'QUEUED', null],
      ['REMINDER_15M', 'QUEUED', null],
    ]);
    expect(rows[4]!.sendAfter).toBe(new Date(moved.startsAt.getTime() - 24 * HOUR).toISOString());

    await sendDueMessages(provider, later, { clinicId: clinic.id });
    const notice = fake.accepted().at(-1)!.form.Body!;
    expect(notice).toMatch(/视频复诊已改至.+。新的专属链接：http:\/\/.+\/v\/[A-Za-z0-9_-]{43} 回复 STOP 退订$/);

    // Moved back to the first time: fresh reminders again (the first ones were skipped for good).
    const back = await db.appointment.update({ where: { id: appointment.id }, data: { startsAt: appointment.startsAt } });
    expect(await db.$transaction((tx) => scheduleVisitMessages(tx, back, { now: later }))).toEqual({
      queued: ['RESCHEDULED', 'REMINDER_24H', 'REMINDER_15M'],
    });
    expect(await db.message.count({ where: { appointmentId: appointment.id, status: 'QUEUED' } })).toBe(3);
  });

  it('sends nothing queued for an old start time, even if nobody skipped it', async () => {
    const now = new Date();
    const { clinic, appointment } = await visit(new Date(now.getTime() + 48 * HOUR));
    await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    await db.appointment.update({ where: { id: appointment.id }, data: { startsAt: new Date(now.getTime() + 50 * HOUR) } });
    expect(await sendDueMessages(provider, now, { clinicId: clinic.id })).toMatchObject({ skipped: 1 });
    expect((await summaryOf(appointment.id))[0]).toMatchObject({ kind: 'BOOKED', status: 'SKIPPED', lastError: 'rescheduled' });
  });

  it('on a cancellation, skips what is still queued and sends the cancellation notice', async () => {
    const now = new Date();
    const { clinic, appointment } = await visit(new Date(now.getTime() + 48 * HOUR));
    await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    await sendDueMessages(provider, now, { clinicId: clinic.id });
    const cancelled = await db.$transaction(async (tx) => {
      const updated = await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'CANCELLED' } });
      const result = await cancelVisitMessages(tx, appointment.id);
      await notifyVisitCancelled(tx, updated, { now });
      return result;
    });
    expect(cancelled).toEqual({ skipped: 2 });
    expect(await sendDueMessages(provider, new Date(now.getTime() + 1000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    expect((await summaryOf(appointment.id)).map((r) => [r.kind, r.status, r.lastError])).toEqual([
      ['BOOKED', 'SENT', null],
      ['REMINDER_24H', 'SKIPPED', 'appointment-cancelled'],
      ['REMINDER_15M', 'SKIPPED', 'appointment-cancelled'],
      ['CANCELLED', 'SENT', null],
    ]);
    const notice = fake.accepted().at(-1)!.form.Body!;
    expect(notice).toContain('的视频复诊已取消');
    expect(notice).not.toContain('/v/');
  });
});
