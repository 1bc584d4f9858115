import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as inboundRoute } from '@/app/api/sms/inbound/route';
import { POST as statusRoute } from '@/app/api/sms/status/route';
import { db } from '@/server/db';
import { ConfigError, parseEnv } from '@/server/env';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { sendDueMessages } from './outbox-worker';
import { scheduleVisitMessages } from './reminders';
import { handleInboundSms, handleStatusCallback, webhookSettings, type WebhookSettings } from './sms-webhook-handlers';
import { startFakeSmsServer, type FakeSmsServer } from './testing/fake-sms-server';
import { twilioSignature } from './twilio-signature';
import { TwilioSmsProvider } from './twilio-sms-provider';

const HOUR = 3600_000;
const twilio: WebhookSettings = { authToken: 'test-auth-token-0123456789', appUrl: 'https://revisit.example.org' };
let fake: FakeSmsServer;
let provider: TwilioSmsProvider;

/** A webhook as Twilio sends it: form-encoded, signed over the public URL (it arrives on an internal one). */
function webhook(path: string, fields: Record<string, string>, options: { sign?: boolean | string } = {}) {
  const params = new URLSearchParams(fields);
  const signature =
    typeof options.sign === 'string' ? options.sign : options.sign === false ? null : twilioSignature(twilio.authToken!, `${twilio.appUrl}${path}`, params);
  return new Request(`http://127.0.0.1:3000${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: params.toString(),
  });
}

async function bookedVisit(now: Date) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id);
  const appointment = await createAppointment({
    clinicId: clinic.id,
    patientId: patient.id,
    clinicianId: doctor.id,
    startsAt: new Date(now.getTime() + 48 * HOUR),
  });
  await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
  return { clinic, patient, appointment };
}

beforeAll(async () => {
  fake = await startFakeSmsServer();
  provider = new TwilioSmsProvider({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+15005550006', baseUrl: fake.baseUrl, timeoutMs: 3000 });
});
afterAll(() => fake.close());

describe('SMS webhooks (real PostgreSQL)', () => {
  it('honours STOP: the patient is opted out, gets one confirmation, and no later reminder', async () => {
    const now = new Date();
    const { clinic, patient } = await bookedVisit(now);
    await sendDueMessages(provider, now, { clinicId: clinic.id });

    const response = await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: ' Stop ', MessageSid: 'SMin0001' }), twilio);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const optedOut = await db.patient.findUniqueOrThrow({ where: { id: patient.id } });
    expect(optedOut.smsOptedOutAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { patientId: patient.id, action: 'sms.opted-out' } })).toBe(1);

    // A second STOP (or Twilio retrying the webhook) changes nothing and confirms nothing more.
    await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP', MessageSid: 'SMin0002' }), twilio);
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).toEqual(optedOut.smsOptedOutAt);

    await sendDueMessages(provider, new Date(Date.now() + 1000), { clinicId: clinic.id });
    await sendDueMessages(provider, new Date(now.getTime() + 48 * HOUR - 5 * 60_000), { clinicId: clinic.id });
    const messages = await db.message.findMany({ where: { patientId: patient.id }, orderBy: { sendAfter: 'asc' } });
    expect(messages.map((m) => [m.kind, m.status, m.lastError])).toEqual([
      ['BOOKED', 'SENT', null],
      ['OPT_OUT_CONFIRMATION', 'SENT', null],
      ['REMINDER_24H', 'SKIPPED', 'opted-out'],
      ['REMINDER_15M', 'SKIPPED', 'opted-out'],
    ]);
    expect(
      fake
        .accepted()
        .filter((r) => r.form.To === patient.phone)
        .map((r) => r.form.Body),
    ).toEqual([expect.stringContaining('已预约'), `【${clinic.name}】您已退订本诊所的短信通知。回复 START 可重新订阅。`]);
  });

  it('opts out every record of the number (it may be at several clinics) and START opts them in again', async () => {
    const first = await createPatient((await createClinic()).id);
    const second = await createPatient((await createClinic()).id);
    await db.patient.update({ where: { id: second.id }, data: { phone: first.phone } });

    await handleInboundSms(webhook('/api/sms/inbound', { From: first.phone, Body: '退订' }), twilio);
    const both = await db.patient.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(both.every((p) => p.smsOptedOutAt !== null)).toBe(true);
    expect(await db.message.count({ where: { patientId: { in: [first.id, second.id] }, kind: 'OPT_OUT_CONFIRMATION' } })).toBe(1);

    await handleInboundSms(webhook('/api/sms/inbound', { From: first.phone, Body: 'start' }), twilio);
    const again = await db.patient.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(again.map((p) => p.smsOptedOutAt)).toEqual([null, null]);
    expect(await db.auditEvent.count({ where: { patientId: { in: [first.id, second.id] }, action: 'sms.opted-in' } })).toBe(2);
  });

  it('handles each text once: a provider retry of an old STOP after START leaves the patient opted in', async () => {
    const patient = await createPatient((await createClinic()).id);
    const sid = (n: number) => `SM${patient.id.slice(-8)}${String(n).padStart(24, '0')}`;
    const stop = () => handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP', MessageSid: sid(1) }), twilio);
    expect((await stop()).status).toBe(200);
    await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'START', MessageSid: sid(2) }), twilio);
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).toBeNull();

    // The provider delivers the first STOP again (same MessageSid): it was handled already.
    const replay = await stop();
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).toBeNull();
    expect(await db.auditEvent.count({ where: { patientId: patient.id, action: 'sms.opted-out' } })).toBe(1);
    expect(await db.message.count({ where: { patientId: patient.id, kind: 'OPT_OUT_CONFIRMATION' } })).toBe(1);

    // Two deliveries of one new STOP at the same moment: handled once.
    await Promise.all([3, 3].map((n) => handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP', MessageSid: sid(n) }), twilio)));
    expect(await db.auditEvent.count({ where: { patientId: patient.id, action: 'sms.opted-out' } })).toBe(2);
    expect(await db.message.count({ where: { patientId: patient.id, kind: 'OPT_OUT_CONFIRMATION' } })).toBe(2);
  });

  it('ignores other replies', async () => {
    const patient = await createPatient((await createClinic()).id);
    const response = await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'Please stop by at 3' }), twilio);
    expect(response.status).toBe(200);
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).toBeNull();
  });

  it('refuses a webhook without a valid signature (403) and changes nothing', async () => {
    const patient = await createPatient((await createClinic()).id);
    const unsigned = await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP' }, { sign: false }), twilio);
    expect(unsigned.status).toBe(403);
    const forged = await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP' }, { sign: 'bm90IGEgc2lnbmF0dXJlIQ==' }), twilio);
    expect(forged.status).toBe(403);
    // Signed for another body: the parameters were changed on the way.
    const signature = twilioSignature(twilio.authToken!, `${twilio.appUrl}/api/sms/inbound`, new URLSearchParams({ From: patient.phone, Body: 'hello' }));
    const tampered = await handleInboundSms(webhook('/api/sms/inbound', { From: patient.phone, Body: 'STOP' }, { sign: signature }), twilio);
    expect(tampered.status).toBe(403);
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).toBeNull();
  });

  it('refuses a form without a sender (400)', async () => {
    const response = await handleInboundSms(webhook('/api/sms/inbound', { Body: 'STOP' }), twilio);
    expect(response.status).toBe(400);
  });

  it('accepts unsigned webhooks with the dev provider (the route as configured for tests), in production only with the demo setting', async () => {
    const patient = await createPatient((await createClinic()).id);
    const response = await inboundRoute(webhook('/api/sms/inbound', { From: patient.phone, Body: 'UNSUBSCRIBE' }, { sign: false }));
    expect(response.status).toBe(200);
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).smsOptedOutAt).not.toBeNull();

    const production = { ...process.env, NODE_ENV: 'production', SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: undefined };
    expect(() => webhookSettings(parseEnv(production))).toThrow(ConfigError);
    expect(webhookSettings(parseEnv({ ...production, ALLOW_DEV_SMS_IN_PRODUCTION: '1' })).authToken).toBeNull();
    const twilioSettings = { TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+14155550100' };
    expect(webhookSettings(parseEnv({ ...production, SMS_PROVIDER: 'twilio', ...twilioSettings })).authToken).toBe('token');
  });

  it('records delivery reports from the provider', async () => {
    const now = new Date();
    const delivered = await bookedVisit(now);
    const failed = await bookedVisit(now);
    await sendDueMessages(provider, now, { clinicId: delivered.clinic.id });
    await sendDueMessages(provider, now, { clinicId: failed.clinic.id });
    const [a, b] = await Promise.all(
      [delivered, failed].map((v) => db.message.findFirstOrThrow({ where: { appointmentId: v.appointment.id, kind: 'BOOKED' } })),
    );
    const path = (id: string) => `/api/sms/status?m=${id}`;

    const ok = await handleStatusCallback(webhook(path(a!.id), { MessageSid: a!.providerMessageId!, MessageStatus: 'delivered' }), twilio);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ updated: true });
    expect(await db.message.findUniqueOrThrow({ where: { id: a!.id } })).toMatchObject({ status: 'DELIVERED', deliveredAt: expect.any(Date) });
    // A late "sent" report does not undo "delivered".
    await handleStatusCallback(webhook(path(a!.id), { MessageSid: a!.providerMessageId!, MessageStatus: 'sent' }), twilio);
    expect((await db.message.findUniqueOrThrow({ where: { id: a!.id } })).status).toBe('DELIVERED');

    await handleStatusCallback(webhook(path(b!.id), { MessageSid: b!.providerMessageId!, MessageStatus: 'undelivered', ErrorCode: '30003' }), twilio);
    expect(await db.message.findUniqueOrThrow({ where: { id: b!.id } })).toMatchObject({
      status: 'FAILED',
      lastError: 'Provider reported undelivered (error 30003)',
    });

    // Another message's sid, an unsigned report: no change.
    const mismatch = await handleStatusCallback(webhook(path(a!.id), { MessageSid: b!.providerMessageId!, MessageStatus: 'failed' }), twilio);
    expect(await mismatch.json()).toEqual({ updated: false });
    const unsigned = await handleStatusCallback(webhook(path(a!.id), { MessageSid: a!.providerMessageId!, MessageStatus: 'failed' }, { sign: false }), twilio);
    expect(unsigned.status).toBe(403);
    expect((await db.message.findUniqueOrThrow({ where: { id: a!.id } })).status).toBe('DELIVERED');

    // Found by the provider's id alone too (a report without our id in the URL), through the route.
    const byRoute = await statusRoute(webhook('/api/sms/status', { MessageSid: b!.providerMessageId!, MessageStatus: 'delivered' }, { sign: false }));
    expect(await byRoute.json()).toEqual({ updated: false }); // already FAILED: a final state stays
    const invalid = await statusRoute(webhook('/api/sms/status', { MessageStatus: 'delivered' }, { sign: false }));
    expect(invalid.status).toBe(400);
  });
});
