import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { spawnScript } from '@/server/testing/spawn-script';
import { env } from '@/server/env';
import { checkPatientLink, previewLink } from '@/server/access-links/access-link-service';
import { hashLinkToken } from '@/server/access-links/link-token';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { MAX_SEND_ATTEMPTS } from './notify-config';
import { sendDueMessages } from './outbox-worker';
import { queueMessage } from './outbox';
import { scheduleVisitMessages } from './reminders';
import { receiveStatusCallback } from './sms-webhooks';
import { startFakeSmsServer, type FakeSmsServer } from './testing/fake-sms-server';
import { TwilioSmsProvider } from './twilio-sms-provider';

const HOUR = 3600_000;
const FROM = '+15005550006';
let fake: FakeSmsServer;

function providerFor(server: FakeSmsServer, timeoutMs = 3000) {
  return new TwilioSmsProvider({ accountSid: server.accountSid, authToken: server.authToken, from: FROM, baseUrl: server.baseUrl, timeoutMs });
}

/** A clinic with a doctor and a patient whose visit starts in two days; its messages queued at `now`. */
async function bookedVisit(now: Date, options: { startsInMs?: number; locale?: 'zh_CN' | 'en' } = {}) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
  if (options.locale) await db.patient.update({ where: { id: patient.id }, data: { preferredLocale: options.locale } });
  const appointment = await createAppointment({
    clinicId: clinic.id,
    patientId: patient.id,
    clinicianId: doctor.id,
    startsAt: new Date(now.getTime() + (options.startsInMs ?? 48 * HOUR)),
  });
  await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
  return { clinic, doctor, patient, appointment };
}

const messagesOf = (appointmentId: string) => db.message.findMany({ where: { appointmentId }, orderBy: { sendAfter: 'asc' } });
const booked = async (appointmentId: string) => db.message.findFirstOrThrow({ where: { appointmentId, kind: 'BOOKED' } });
const at = (now: Date, ms: number) => new Date(now.getTime() + ms);

beforeAll(async () => {
  fake = await startFakeSmsServer();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.lookups.length = 0;
  fake.lookupsFail = false;
  fake.fallback = { kind: 'accept' };
  fake.latencyMs = 0;
});

describe('outbox worker against a Twilio-compatible HTTP server (real PostgreSQL)', () => {
  it('sends the booking confirmation with a fresh personal link and keeps only a shortened copy', async () => {
    const now = new Date();
    const { clinic, patient, appointment } = await bookedVisit(now);
    const summary = await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id });
    expect(summary).toMatchObject({ claimed: 1, sent: 1 });

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.basicAuth).toBe(`${fake.accountSid}:${fake.authToken}`);
    expect(request!.form).toMatchObject({ To: patient.phone, From: FROM });
    const message = await booked(appointment.id);
    expect(request!.form.StatusCallback).toBe(`${env().APP_URL}/api/sms/status?m=${message.id}`);

    const body = request!.form.Body!;
    expect(body).toMatch(/^【测试诊所 Test Clinic [0-9a-f]+】您与Dr\. [0-9a-f]+的视频复诊已预约在/);
    expect(body).toContain('回复 STOP 退订');
    const token = body.match(/\/v\/([A-Za-z0-9_-]{43})/)![1]!;
    expect(body).toContain(`${env().APP_URL}/v/${token}`);
    // The link works, and what is stored is only its hash.
    expect(await previewLink(token)).toMatchObject({ ok: true });
    const link = await db.accessLink.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(token) } });
    expect(link.appointmentId).toBe(appointment.id);
    expect(link.expiresAt.getTime()).toBe(appointment.startsAt.getTime() + (15 + 12 * 60) * 60_000);

    expect(message).toMatchObject({ status: 'SENT', provider: 'twilio', providerMessageId: request!.sid, attempts: 1, lockedUntil: null, lastError: null });
    expect(message.sentAt).not.toBeNull();
    expect(message.bodyPreview).toBe(body.replace(token, `${token.slice(0, 6)}…`));
    expect(JSON.stringify(await db.message.findMany({ where: { appointmentId: appointment.id } }))).not.toContain(token);

    // The reminders wait for their time.
    const reminders = (await messagesOf(appointment.id)).filter((m) => m.kind !== 'BOOKED');
    expect(reminders.map((m) => [m.kind, m.status, m.sendAfter.getTime()])).toEqual([
      ['REMINDER_24H', 'QUEUED', appointment.startsAt.getTime() - 24 * HOUR],
      ['REMINDER_15M', 'QUEUED', appointment.startsAt.getTime() - 15 * 60_000],
    ]);
    expect(await sendDueMessages(providerFor(fake), at(now, HOUR), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
  });

  it('sends each reminder at its time, with its own link, in the patient’s language', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now, { locale: 'en' });
    await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id });
    expect(await sendDueMessages(providerFor(fake), at(now, 24 * HOUR - 1000), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
    expect(await sendDueMessages(providerFor(fake), at(now, 24 * HOUR + 1000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    expect(await sendDueMessages(providerFor(fake), at(now, 48 * HOUR - 14 * 60_000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });

    const bodies = fake.accepted().map((r) => r.form.Body!);
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toMatch(/: reminder, your video follow-up with Dr\. \w+ is on .+\. Your personal link: .+ Reply STOP to opt out\.$/);
    expect(bodies[2]).toContain('starts soon');
    const tokens = bodies.map((b) => b.match(/\/v\/([A-Za-z0-9_-]{43})/)![1]);
    expect(new Set(tokens).size).toBe(3);
    expect((await messagesOf(appointment.id)).map((m) => m.status)).toEqual(['SENT', 'SENT', 'SENT']);
  });

  it('retries a refused send (429) with backoff, closes the link that went out in no text, and sends the message once', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    fake.enqueue({ kind: 'error', status: 429, code: 20429, message: 'Too Many Requests' });
    expect(await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id })).toMatchObject({ claimed: 1, retrying: 1 });

    let message = await booked(appointment.id);
    expect(message).toMatchObject({ status: 'QUEUED', attempts: 1, lockedUntil: null, bodyPreview: null, pendingTextSha256: null });
    expect(message.lastError).toBe('Twilio answered 429: 20429 Too Many Requests');
    const wait = message.nextAttemptAt.getTime() - now.getTime();
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThan(35_000);
    // The provider said it did not take it: the link went out in no text, so it is closed.
    expect(await db.accessLink.findMany({ where: { appointmentId: appointment.id }, select: { revokedAt: true } })).toEqual([{ revokedAt: expect.any(Date) }]);

    expect(await sendDueMessages(providerFor(fake), at(now, 20_000), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
    expect(await sendDueMessages(providerFor(fake), at(now, 40_000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    message = await booked(appointment.id);
    expect(message).toMatchObject({ status: 'SENT', attempts: 2, lastError: null, pendingTextSha256: null, pendingSince: null });
    expect(fake.requests.map((r) => r.behaviour)).toEqual(['error', 'accept']);
    // Nothing to look up: the refusal was clear.
    expect(fake.lookups).toEqual([]);
    expect(fake.accepted()).toHaveLength(1);
    expect(message.providerMessageId).toBe(fake.accepted()[0]!.sid);
  });

  it('asks the provider before sending again after a server error (it may have taken the message), and sends once', async () => {
    const now = new Date();
    const { clinic, patient, appointment } = await bookedVisit(now);
    fake.enqueue({ kind: 'error', status: 500 });
    expect(await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id })).toMatchObject({ claimed: 1, retrying: 1 });
    const message = await booked(appointment.id);
    expect(message).toMatchObject({ status: 'QUEUED', attempts: 1, pendingTextSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(message.lastError).toBe('Twilio answered 500: 20500 Internal Server Error; it may have gone out, so the provider is asked before it is sent again');
    // Its link may be in a text: it stays open.
    expect(await db.accessLink.findMany({ where: { appointmentId: appointment.id }, select: { revokedAt: true } })).toEqual([{ revokedAt: null }]);

    expect(await sendDueMessages(providerFor(fake), at(now, 40_000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    expect(fake.lookups).toEqual([{ To: patient.phone, From: FROM, PageSize: '50' }]);
    expect(fake.requests.map((r) => r.behaviour)).toEqual(['error', 'accept']);
    expect(fake.accepted()).toHaveLength(1);
    expect(await booked(appointment.id)).toMatchObject({ status: 'SENT', attempts: 2, providerMessageId: fake.accepted()[0]!.sid, pendingTextSha256: null });
  });

  it('backs off longer each time and gives up as FAILED after the last attempt', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    fake.fallback = { kind: 'error', status: 503, message: 'Service Unavailable' };
    let clock = now;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      await sendDueMessages(providerFor(fake), clock, { clinicId: clinic.id });
      const message = await booked(appointment.id);
      expect(message.attempts).toBe(attempt);
      if (attempt < MAX_SEND_ATTEMPTS) {
        expect(message.status).toBe('QUEUED');
        waits.push(Math.round((message.nextAttemptAt.getTime() - clock.getTime()) / 1000));
        clock = at(message.nextAttemptAt, 1);
      } else {
        expect(message).toMatchObject({
          status: 'FAILED',
          lastError: 'Twilio answered 503: 20500 Service Unavailable; it may have gone out, so the provider is asked before it is sent again',
        });
      }
    }
    expect(waits).toEqual([30, 60, 120, 240]);
    expect(fake.requests).toHaveLength(MAX_SEND_ATTEMPTS);
    // Before each new attempt the provider was asked whether the last one went out (it had not).
    expect(fake.lookups).toHaveLength(MAX_SEND_ATTEMPTS - 1);
    expect(await sendDueMessages(providerFor(fake), at(clock, HOUR), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
  });

  it('marks a number the provider refuses (400) UNDELIVERABLE and does not try again', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    fake.enqueue({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id })).toMatchObject({ undeliverable: 1 });
    const message = await booked(appointment.id);
    expect(message).toMatchObject({ status: 'UNDELIVERABLE', attempts: 1, lockedUntil: null, sentAt: null });
    expect(message.lastError).toBe("Twilio answered 400: 21211 The 'To' number is not a valid phone number.");
    expect(await sendDueMessages(providerFor(fake), at(now, HOUR), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a provider that does not answer in time, finds it did not take the message, and sends on the retry', async () => {
    const now = new Date();
    const { clinic, patient, appointment } = await bookedVisit(now);
    fake.enqueue({ kind: 'slow', delayMs: 1500 });
    const started = Date.now();
    expect(await sendDueMessages(providerFor(fake, 300), now, { clinicId: clinic.id })).toMatchObject({ retrying: 1 });
    expect(Date.now() - started).toBeLessThan(1500);
    const message = await booked(appointment.id);
    expect(message).toMatchObject({
      status: 'QUEUED',
      attempts: 1,
      lastError: 'Twilio request failed: no answer within 300 ms; it may have gone out, so the provider is asked before it is sent again',
    });

    expect(await sendDueMessages(providerFor(fake, 300), at(message.nextAttemptAt, 1), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    expect(fake.lookups).toHaveLength(1);
    // The first request was never answered (the client had hung up) and the provider did not take it: one text went out.
    expect(fake.requests.map((r) => r.behaviour)).toEqual(['slow', 'accept']);
    expect(fake.accepted()).toHaveLength(1);
    const token = fake.accepted()[0]!.form.Body!.match(/\/v\/([A-Za-z0-9_-]{43})/)![1]!;
    expect(await checkPatientLink({ token, birthDate: '1958-06-01' }, { maxFailedAttempts: 5 })).toMatchObject({ ok: true, patientId: patient.id });
  });

  it('lets several workers race over the same messages and sends each exactly once', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    const phones: string[] = [];
    for (let i = 0; i < 24; i++) {
      const patient = await createPatient(clinic.id);
      phones.push(patient.phone);
      const appointment = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id, startsAt: at(now, 48 * HOUR) });
      await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    }
    fake.latencyMs = 5;
    const worker = async () => {
      const totals = { claimed: 0, sent: 0, lost: 0 };
      for (let round = 0; round < 20; round++) {
        const summary = await sendDueMessages(providerFor(fake), now, { clinicId: clinic.id, batchSize: 4 });
        totals.claimed += summary.claimed;
        totals.sent += summary.sent;
        totals.lost += summary.lost;
        if (summary.claimed === 0) break;
      }
      return totals;
    };
    // Six at once, so that claims really overlap in PostgreSQL (each has its own connection).
    const results = await Promise.all(Array.from({ length: 6 }, worker));
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(24);
    expect(results.filter((r) => r.sent > 0).length).toBeGreaterThan(1);
    // Skipped locks: no row was ever claimed by two workers (the claim fence would have caught it).
    expect(results.reduce((sum, r) => sum + r.lost, 0)).toBe(0);
    expect(fake.requests).toHaveLength(24);
    expect(
      fake
        .accepted()
        .map((r) => r.form.To)
        .sort(),
    ).toEqual([...phones].sort());
    expect(await db.message.count({ where: { clinicId: clinic.id, kind: 'BOOKED', status: 'SENT' } })).toBe(24);
  });

  it('claims again a message left SENDING by a worker that died, once its claim has run out', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    const message = await booked(appointment.id);
    // What a worker killed after claiming (before the provider answered) leaves behind.
    await db.message.update({ where: { id: message.id }, data: { status: 'SENDING', attempts: 1, lockedUntil: at(now, 60_000) } });

    expect(await sendDueMessages(providerFor(fake), at(now, 30_000), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
    expect(await sendDueMessages(providerFor(fake), at(now, 61_000), { clinicId: clinic.id })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await booked(appointment.id)).toMatchObject({ status: 'SENT', attempts: 2, lockedUntil: null });
    expect(fake.accepted()).toHaveLength(1);
  });

  it('does not send again a message whose worker died after the provider took it, once the delivery report came', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    const message = await booked(appointment.id);
    await db.message.update({ where: { id: message.id }, data: { status: 'SENDING', attempts: 1, lockedUntil: at(now, 60_000) } });
    // The provider accepted it and reports back; the worker never got to record it.
    expect(await receiveStatusCallback({ messageId: message.id, messageSid: 'SM0123456789abcdef0123456789abcdef', messageStatus: 'sent' })).toEqual({
      updated: true,
    });
    expect(await sendDueMessages(providerFor(fake), at(now, 61_000), { clinicId: clinic.id })).toMatchObject({ claimed: 0 });
    expect(await booked(appointment.id)).toMatchObject({ status: 'SENT', providerMessageId: 'SM0123456789abcdef0123456789abcdef', lockedUntil: null });
    expect(fake.requests).toHaveLength(0);
  });

  it('gives up on a message whose sending process keeps dying instead of risking more copies', async () => {
    const now = new Date();
    const { clinic, appointment } = await bookedVisit(now);
    const message = await booked(appointment.id);
    await db.message.update({ where: { id: message.id }, data: { status: 'SENDING', attempts: MAX_SEND_ATTEMPTS, lockedUntil: now } });
    expect(await sendDueMessages(providerFor(fake), at(now, 1000), { clinicId: clinic.id })).toMatchObject({ failed: 1 });
    expect(await booked(appointment.id)).toMatchObject({ status: 'FAILED', lastError: `Gave up after ${MAX_SEND_ATTEMPTS} attempts cut short` });
    expect(fake.requests).toHaveLength(0);
  });

  it('skips the reminders of a patient who opted out, and of a cancelled visit', async () => {
    const now = new Date();
    const optedOut = await bookedVisit(now);
    await sendDueMessages(providerFor(fake), now, { clinicId: optedOut.clinic.id });
    await db.patient.update({ where: { id: optedOut.patient.id }, data: { smsOptedOutAt: at(now, HOUR) } });
    expect(await sendDueMessages(providerFor(fake), at(now, 48 * HOUR - 10 * 60_000), { clinicId: optedOut.clinic.id })).toMatchObject({
      claimed: 2,
      skipped: 2,
    });
    expect((await messagesOf(optedOut.appointment.id)).map((m) => [m.kind, m.status, m.lastError])).toEqual([
      ['BOOKED', 'SENT', null],
      ['REMINDER_24H', 'SKIPPED', 'opted-out'],
      ['REMINDER_15M', 'SKIPPED', 'opted-out'],
    ]);

    const cancelled = await bookedVisit(now);
    await db.appointment.update({ where: { id: cancelled.appointment.id }, data: { status: 'CANCELLED' } });
    expect(await sendDueMessages(providerFor(fake), at(now, 48 * HOUR), { clinicId: cancelled.clinic.id })).toMatchObject({ skipped: 3 });
    expect((await messagesOf(cancelled.appointment.id)).map((m) => m.lastError)).toEqual([
      'appointment-cancelled',
      'appointment-cancelled',
      'appointment-cancelled',
    ]);
    // Only the first booking confirmation went out, and no link was issued for what was skipped.
    expect(fake.accepted()).toHaveLength(1);
    expect(await db.accessLink.count({ where: { appointmentId: cancelled.appointment.id } })).toBe(0);
  });

  it('sends the opt-out confirmation to a patient who just opted out, without a link', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const patient = await createPatient(clinic.id);
    await db.patient.update({ where: { id: patient.id }, data: { smsOptedOutAt: now, preferredLocale: 'en' } });
    await db.$transaction((tx) =>
      queueMessage(tx, { clinicId: clinic.id, patientId: patient.id, kind: 'OPT_OUT_CONFIRMATION', dedupeKey: `test-opt-out:${patient.id}` }),
    );
    expect(await sendDueMessages(providerFor(fake), at(now, 1000), { clinicId: clinic.id })).toMatchObject({ sent: 1 });
    expect(fake.accepted()[0]!.form.Body).toBe(`${clinic.name}: you will no longer receive text messages from us. Reply START to receive them again.`);
  });

  it('keeps working with several processes, one killed while the provider had its request', async () => {
    const now = new Date();
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    const phones: string[] = [];
    for (let i = 0; i < 30; i++) {
      const patient = await createPatient(clinic.id);
      phones.push(patient.phone);
      const appointment = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id, startsAt: at(now, 48 * HOUR) });
      await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    }
    const actor = (clockOffsetMs: number) => {
      const setup = { clinicId: clinic.id, baseUrl: fake.baseUrl, accountSid: fake.accountSid, authToken: fake.authToken, clockOffsetMs, seconds: 20 };
      return spawnScript('server/notify/testing/outbox-actor.ts', { OUTBOX_ACTOR: JSON.stringify(setup) });
    };

    // The first process's first request never gets an answer; it is killed while waiting for it.
    fake.enqueue({ kind: 'hang' });
    fake.latencyMs = 10;
    const victim = actor(0);
    await fake.waitForRequests(1, 45_000);
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    const stranded = await db.message.count({ where: { clinicId: clinic.id, status: 'SENDING' } });
    expect(stranded).toBeGreaterThan(0);

    // Two processes, started after the dead one's claims ran out, finish everything between them.
    const survivors = [actor(61_000), actor(61_000)];
    const finished = await Promise.all(survivors.map((s) => s.done));
    for (const run of finished) expect(run.code, run.output).toBe(0);
    const totals = finished.map((run) => JSON.parse(run.output.trim().split('\n').pop()!) as { sent: number });
    expect(totals[0]!.sent + totals[1]!.sent).toBe(30);

    const confirmations = await db.message.findMany({ where: { clinicId: clinic.id, kind: 'BOOKED' }, select: { status: true } });
    expect(confirmations.map((m) => m.status)).toEqual(Array(30).fill('SENT'));
    // Every patient got their confirmation exactly once; the unanswered request is the only extra one.
    expect(
      fake
        .accepted()
        .map((r) => r.form.To)
        .sort(),
    ).toEqual([...phones].sort());
    expect(fake.requests.filter((r) => !r.answered)).toHaveLength(1);
  }, 120_000);
});
