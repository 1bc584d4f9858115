// A send that times out has an unknown outcome: the provider may have taken the message. These tests use a
// Twilio-compatible HTTP server that takes the message at once and answers only after the client gave up.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { checkPatientLink } from '@/server/access-links/access-link-service';
import { checkGuestInvite } from '@/server/consult/invite-service';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createAppointment, createClinic, createPatient, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { sendDueMessages } from './outbox-worker';
import { scheduleVisitMessages } from './reminders';
import { receiveStatusCallback } from './sms-webhooks';
import { startFakeSmsServer, type FakeSmsServer } from './testing/fake-sms-server';
import { TwilioSmsProvider } from './twilio-sms-provider';

const HOUR = 3600_000;
const BIRTH_DATE = '1958-06-01';
const APP_URL = 'https://revisit.example.org';
let fake: FakeSmsServer;

/** The client gives up after 300 ms; the provider takes the message at once and answers after 1 s. */
const impatient = () =>
  new TwilioSmsProvider({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+15005550006', baseUrl: fake.baseUrl, timeoutMs: 300 });
const at = (now: Date, ms: number) => new Date(now.getTime() + ms);
const textsTo = (phone: string) => fake.accepted().filter((r) => r.form.To === phone);

async function bookedVisit(now: Date) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id, { birthDate: BIRTH_DATE, primaryClinicianId: doctor.id });
  const appointment = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id, startsAt: at(now, 48 * HOUR) });
  await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
  const message = await db.message.findFirstOrThrow({ where: { appointmentId: appointment.id, kind: 'BOOKED' } });
  return { clinic, patient, appointment, message };
}

/** The worker's rounds over the next hour: the first attempt now, then whenever a retry would be due. */
async function sendForAnHour(clinicId: string, now: Date, options: { appUrl?: string } = {}) {
  const summaries = [];
  for (const offset of [0, 31_000, 95_000, 10 * 60_000, HOUR]) {
    summaries.push(await sendDueMessages(impatient(), at(now, offset), { clinicId, ...options }));
  }
  return summaries;
}

beforeAll(async () => {
  fake = await startFakeSmsServer();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.lookups.length = 0;
  fake.lookupsFail = false;
  fake.fallback = { kind: 'accept' };
});

describe('an SMS send that times out (real PostgreSQL, Twilio-compatible HTTP server)', () => {
  it('a provider that accepts the message but answers after the timeout: the link in the first text still signs in, and the patient gets one text', async () => {
    const now = new Date();
    const { clinic, patient, appointment, message } = await bookedVisit(now);
    fake.enqueue({ kind: 'acceptLate', delayMs: 1000 });
    await sendForAnHour(clinic.id, now);

    const texts = textsTo(patient.phone);
    expect(texts).toHaveLength(1);
    const token = texts[0]!.form.Body!.match(/\/v\/([A-Za-z0-9_-]{43})/)![1]!;
    expect(await checkPatientLink({ token, birthDate: BIRTH_DATE }, { maxFailedAttempts: 5 })).toMatchObject({ ok: true, appointmentId: appointment.id });
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'SENT', providerMessageId: texts[0]!.sid });
  });

  it('a guest invited by text whose send timed out but went out: the link and code in that text still sign in, and one text went out', async () => {
    const s = await createVisitScenario();
    await enqueueForAppointment(patientPrincipal(s));
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const phone = `+86137${Math.floor(Math.random() * 1e8)
      .toString()
      .padStart(8, '0')}`;
    const doctor: Principal = staffPrincipal(s.doctor);
    await createCaller(createContext(doctor)).multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: '王丽', phone });

    fake.enqueue({ kind: 'acceptLate', delayMs: 1000 });
    await sendForAnHour(s.clinic.id, new Date(), { appUrl: APP_URL });

    const texts = textsTo(phone);
    expect(texts).toHaveLength(1);
    const [, token, code] = texts[0]!.form.Body!.match(/\/g\/([A-Za-z0-9_-]{43}) .*?(\d{6})/)!;
    expect(await checkGuestInvite({ token: token!, name: '王丽', code: code! })).toMatchObject({ ok: true, appointmentId: s.appointment.id });
  });

  it('a late delivery report settles the message: it is not sent again', async () => {
    const now = new Date();
    const { clinic, patient, message } = await bookedVisit(now);
    fake.enqueue({ kind: 'acceptLate', delayMs: 1000 });
    expect(await sendDueMessages(impatient(), now, { clinicId: clinic.id })).toMatchObject({ claimed: 1 });
    const sid = textsTo(patient.phone)[0]!.sid!;

    // The provider reports on the message it took (our id is in the callback URL) before the retry is due.
    expect(await receiveStatusCallback({ messageId: message.id, messageSid: sid, messageStatus: 'sent' })).toEqual({ updated: true });
    expect(await receiveStatusCallback({ messageId: message.id, messageSid: sid, messageStatus: 'delivered' })).toEqual({ updated: true });
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'DELIVERED', providerMessageId: sid, lockedUntil: null });

    await sendForAnHour(clinic.id, at(now, 1000));
    expect(fake.requests.filter((r) => r.form.To === patient.phone)).toHaveLength(1);
  });

  it('sends nothing new while the provider cannot be asked whether the text went out, and settles it once it can', async () => {
    const now = new Date();
    const { clinic, patient, message } = await bookedVisit(now);
    fake.enqueue({ kind: 'acceptLate', delayMs: 1000 });
    await sendDueMessages(impatient(), now, { clinicId: clinic.id });
    fake.lookupsFail = true;
    expect(await sendDueMessages(impatient(), at(now, 40_000), { clinicId: clinic.id })).toMatchObject({ claimed: 1, retrying: 1 });
    const waiting = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(waiting).toMatchObject({ status: 'QUEUED', attempts: 2, pendingTextSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(waiting.lastError).toBe(
      'Could not ask the provider whether the last attempt went out: Twilio answered 503 to a message look-up: 20503 Service Unavailable',
    );

    fake.lookupsFail = false;
    expect(await sendDueMessages(impatient(), at(waiting.nextAttemptAt, 1), { clinicId: clinic.id })).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.lookups).toHaveLength(2);
    const texts = textsTo(patient.phone);
    expect(texts).toHaveLength(1);
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: 'SENT',
      attempts: 3,
      providerMessageId: texts[0]!.sid,
      lastError: null,
      pendingTextSha256: null,
      pendingSince: null,
    });
  });

  it('a message given up with its outcome unknown keeps its link, and a late delivery report still settles it', async () => {
    const now = new Date();
    const { clinic, patient, appointment, message } = await bookedVisit(now);
    fake.enqueue({ kind: 'acceptLate', delayMs: 1000 });
    fake.lookupsFail = true;
    let clock = now;
    for (let round = 0; round < 5; round++) {
      await sendDueMessages(impatient(), clock, { clinicId: clinic.id });
      clock = at((await db.message.findUniqueOrThrow({ where: { id: message.id } })).nextAttemptAt, 1);
    }
    const failed = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 5, providerMessageId: null });
    expect(textsTo(patient.phone)).toHaveLength(1);
    const token = textsTo(patient.phone)[0]!.form.Body!.match(/\/v\/([A-Za-z0-9_-]{43})/)![1]!;
    expect(await checkPatientLink({ token, birthDate: BIRTH_DATE }, { maxFailedAttempts: 5 })).toMatchObject({ ok: true, appointmentId: appointment.id });

    const sid = textsTo(patient.phone)[0]!.sid!;
    expect(await receiveStatusCallback({ messageId: message.id, messageSid: sid, messageStatus: 'delivered' })).toEqual({ updated: true });
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'DELIVERED', providerMessageId: sid, lastError: null });
  });
});
