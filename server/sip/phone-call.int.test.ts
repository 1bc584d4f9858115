import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomServiceClient } from 'livekit-server-sdk';
import {
  AudioSource,
  AudioStream,
  dispose,
  LocalAudioTrack,
  ParticipantKind,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { createAudioOut } from '@/server/agents/media/audio-out';
import { joinConsult } from '@/server/consult/consult-service';
import { setPresence } from '@/server/routing/presence';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { freePort, startService, waitFor } from '@/scripts/lib/proc.mjs';
import { serveLivekitWebhooks } from './testing/webhook-receiver';
import { closeAgentJobs } from '@/server/agents/job-queue';
import { createAppointment, createClinic, createPatient, createStaff, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { sip } from './index';
import { reconcilePhoneLines } from './provisioning';
import { answerPhoneCall, placePhoneCall, type CallStep } from './testing/sipp-phone';
import { dialOutToConsult } from '@/server/consult/dial-out-service';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { acceptOffer } from '@/server/routing/offers';
import { readFileSync as readText } from 'node:fs';
import { checkPatientLink } from '@/server/access-links/access-link-service';
import { DevSmsProvider } from '@/server/notify/dev-sms-provider';
import { sendDueMessages } from '@/server/notify/outbox-worker';
import { acceptTelehealthConsent, telehealthConsentFor } from '@/server/visit/consent-service';
import { acceptCall, startPatientCall } from '@/server/agents/patient-call';
import { sendVideoLink } from './step-up';

// The test stack's LiveKit (Redis mode) and SIP bridge, a real agents worker, SIPp as the phone. LiveKit's webhooks
// go to the web app's address, which nothing serves during the integration tests: this test serves it with the real
// intake.
const settings = env();
let receiver: { close: () => Promise<void> } | undefined;
let worker: ReturnType<typeof startService>;
const work = `.data/test/phone-${process.pid}`;

beforeAll(async () => {
  const port = Number(new URL(settings.APP_URL).port);
  receiver = await serveLivekitWebhooks(port);
  const logFile = `${work}/agents.log`;
  worker = startService('agents', 'npx', ['tsx', 'scripts/agents.ts'], { env: { ...process.env, IVR_NO_INPUT_MS: '6000' }, logFile });
  await waitFor(
    async () => {
      if (!worker.running) throw new Error(`the agents worker exited; see ${logFile}`);
      return existsSync(logFile) && readFileSync(logFile, 'utf8').includes('ready');
    },
    { timeoutMs: 60_000, what: 'the agents worker' },
  );
}, 120_000);

const rooms: Room[] = [];

afterAll(async () => {
  for (const room of rooms) await room.disconnect().catch(() => {});
  await dispose();
  await worker?.stop();
  await closeAgentJobs();
  await receiver?.close();
});

function clinicNumber() {
  return `+86571${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;
}

/** A clinic with a phone line that accepts calls from this machine, provisioned in LiveKit SIP. */
async function clinicWithLine(options: { allowedAddresses?: string[]; credentials?: { username: string; password: string }; outboundAddress?: string } = {}) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const number = clinicNumber();
  await db.clinicPhone.create({
    data: {
      clinicId: clinic.id,
      numbers: [number],
      allowedAddresses: options.allowedAddresses ?? ['127.0.0.1/32'],
      inboundUsername: options.credentials?.username,
      inboundPassword: options.credentials?.password,
      ...(options.outboundAddress ? { outboundAddress: options.outboundAddress, outboundNumber: number } : {}),
    },
  });
  await reconcilePhoneLines(sip(), clinic.id);
  return { clinic, doctor, number };
}

async function call(from: string, to: string, steps: CallStep[], timeoutSeconds?: number, hangUp?: 'phone' | 'clinic') {
  return placePhoneCall({
    sipPort: settings.SIP_PORT,
    from,
    to,
    steps,
    dir: work,
    sippPort: await freePort(),
    mediaPort: await freePort(),
    timeoutSeconds,
    hangUp,
  });
}

/**
 * The clinician's side of a call on @livekit/rtc-node: in the room with `joined`'s token, listening to the phone (the
 * SIP participant's audio, RMS per frame) and talking into it (a 440 Hz tone for `talkSeconds`).
 */
async function joinAsClinician(joined: { serverUrl: string; token: string }, talkSeconds: number) {
  const room = new Room();
  rooms.push(room);
  const fromPhone: number[] = [];
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _publication, participant: RemoteParticipant) => {
    if (participant.kind !== ParticipantKind.SIP || track.kind !== TrackKind.KIND_AUDIO) return;
    void (async () => {
      const reader = new AudioStream(track, { sampleRate: 48_000, numChannels: 1 }).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        let sum = 0;
        for (const sample of read.value.data) sum += (sample / 32768) ** 2;
        fromPhone.push(Math.sqrt(sum / read.value.data.length));
      }
    })();
  });
  await room.connect(joined.serverUrl, joined.token, { autoSubscribe: true, dynacast: false });
  const source = new AudioSource(48_000, 1);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await room.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('microphone', source), options);
  const voice = new Int16Array(48_000 * talkSeconds);
  for (let i = 0; i < voice.length; i++) voice[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000));
  void createAudioOut(source).play(voice);
  return { loudestFromPhone: () => fromPhone.reduce((loudest, rms) => Math.max(loudest, rms), 0) };
}

const sessionOfCaller = (clinicId: string) => db.callSession.findFirst({ where: { clinicId, channel: 'PHONE' }, orderBy: { startedAt: 'desc' } });

describe('phone callers through LiveKit SIP', () => {
  it('a known caller hears the menu, keys 1 then 1 by DTMF, waits in line with that reason, and hanging up abandons the wait', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });

    const phone = await call(patient.phone, number, [{ pauseMs: 3000 }, { keys: '11', gapMs: 2000 }, { pauseMs: 4000 }]);
    // Meanwhile the same visit's web link does not start a second call beside the phone's menu and wait.
    await expect.poll(async () => (await db.task.findFirst({ where: { appointmentId: visit.id } }))?.state, { timeout: 20_000 }).toBe('WAITING');
    const principal = patientPrincipal({ patient, appointment: visit });
    const consent = await telehealthConsentFor(principal, 'en');
    await acceptTelehealthConsent(principal, { locale: 'en', text: consent.text });
    await expect(startPatientCall(livekit(), principal, { audioOnly: false, locale: 'en' })).rejects.toMatchObject({ reason: 'onPhoneCall' });
    const { code, output } = await phone.finished;
    expect(code, output).toBe(0);

    const session = await sessionOfCaller(clinic.id);
    expect(session).toMatchObject({ appointmentId: visit.id, callerNumber: patient.phone, audioOnly: true });
    expect(session!.room.startsWith('phone-')).toBe(true);
    // The phone heard the agent speak.
    expect(phone.heard().packets).toBeGreaterThan(100);
    expect(phone.heard().peakRms).toBeGreaterThan(0.01);
    const task = await db.task.findFirstOrThrow({ where: { appointmentId: visit.id } });
    expect(task.channel).toBe('PHONE');
    expect(task.attributes).toMatchObject({
      menuPath: ['1', '1'],
      menuChoice: { en: 'Routine follow-up' },
      callerNumberMasked: expect.stringMatching(/^\+86 ••• \d{4}$/),
    });
    // The BYE: the wait is abandoned with its time, the session ended.
    await expect.poll(async () => (await db.task.findUniqueOrThrow({ where: { id: task.id } })).state, { timeout: 10_000 }).toBe('ABANDONED');
    const ended = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(ended.endReason).toBe('left');
    expect(ended.abandonedAt!.getTime()).toBeGreaterThan(task.enqueuedAt.getTime());
    await expect.poll(async () => (await db.callSession.findUniqueOrThrow({ where: { id: session!.id } })).stage, { timeout: 10_000 }).toBe('ENDED');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: visit.id } })).callRoom).toBe(session!.room);
  });

  it('a caller from a number the clinic does not know keys in their date of birth and reaches the menu; hanging up there leaves no task', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { birthDate: '1956-03-14', primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
    const phone = await call('+8613000000999', number, [{ pauseMs: 2000 }, { keys: '19560314', gapMs: 400 }, { pauseMs: 3000 }]);
    const { code, output } = await phone.finished;
    expect(code, output).toBe(0);

    const session = await sessionOfCaller(clinic.id);
    expect(session).toMatchObject({ appointmentId: visit.id, callerNumber: '+8613000000999' });
    await expect.poll(async () => (await db.callSession.findUniqueOrThrow({ where: { id: session!.id } })).stage, { timeout: 10_000 }).toBe('ENDED');
    expect(await db.task.count({ where: { appointmentId: visit.id } })).toBe(0);
    // The hang-up counts on the menu node the caller was on.
    expect(await db.ivrEvent.count({ where: { sessionId: session!.id, kind: 'HANGUP' } })).toBe(1);
  });

  it('the clinician accepts the phone caller, joins the room the call arrived in, both hear each other, and hanging up completes the task', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
    const clinician = staffPrincipal(doctor);
    await setPresence(clinician, 'AVAILABLE');
    // The caller keys 1, 1, then talks (SIPp's G.711 recording, 7 s) twice while the clinician is there.
    const phone = await call(
      patient.phone,
      number,
      [{ pauseMs: 2500 }, { keys: '11', gapMs: 1500 }, { pauseMs: 6000 }, { speak: true }, { pauseMs: 7500 }, { speak: true }, { pauseMs: 7500 }],
      40,
    );

    await expect.poll(() => db.offer.count({ where: { clinicianId: doctor.id, state: 'PENDING' } }), { timeout: 20_000 }).toBe(1);
    const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } });
    await acceptCall(livekit(), clinician, offer.id);
    const acceptedAt = Date.now();
    const joined = await joinConsult(livekit(), clinician, visit.id);
    const session = await sessionOfCaller(clinic.id);
    expect(joined.room).toBe(session!.room);

    const clinicianSide = await joinAsClinician(joined, 12);

    // The agent leaves the room once the clinician is in; what the phone hears from then on is the clinician.
    await expect.poll(async () => (await livekit().listParticipants(joined.room)).some((p) => p.identity === 'revisit-agent'), { timeout: 5000 }).toBe(false);
    await waitFor(async () => clinicianSide.loudestFromPhone() > 0.01, { timeoutMs: 20_000, what: "the caller's voice at the clinician" });
    await waitFor(async () => phone.loudestSince(acceptedAt + 2000) > 0.01, { timeoutMs: 20_000, what: "the clinician's voice at the phone" });

    const { code, output } = await phone.finished;
    expect(code, output).toBe(0);
    const task = await db.task.findFirstOrThrow({ where: { appointmentId: visit.id } });
    await expect.poll(async () => (await db.task.findUniqueOrThrow({ where: { id: task.id } })).state, { timeout: 10_000 }).toBe('COMPLETED');
    expect(task.channel).toBe('PHONE');
  }, 90_000);

  it("refuses a call without the line's digest credentials: challenged, no room, no session", async () => {
    const { clinic, number } = await clinicWithLine({ allowedAddresses: [], credentials: { username: 'carrier', password: 'a-long-secret-9' } });
    const sippPort = await freePort();
    const phone = await placePhoneCall({
      sipPort: settings.SIP_PORT,
      from: '+8613000000777',
      to: number,
      steps: [{ pauseMs: 500 }],
      dir: work,
      sippPort,
      mediaPort: await freePort(),
      timeoutSeconds: 8,
    });
    const { code } = await phone.finished;
    expect(code).not.toBe(0);
    // Refused by the bridge's challenge (not by a timeout): SIPp logs the unexpected 401/407.
    expect(readText(`${work}/sipp-${sippPort}-errors.log`, 'utf8')).toMatch(/SIP\/2\.0 40[17]/);
    expect(await db.callSession.count({ where: { clinicId: clinic.id } })).toBe(0);
  });

  it("takes a call with the line's digest credentials and refuses one with a wrong password: no room, no session", async () => {
    const credentials = { username: 'carrier', password: 'a-long-secret-7' };
    const { clinic, doctor, number } = await clinicWithLine({ allowedAddresses: [], credentials });
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });

    const sippPort = await freePort();
    const wrong = await placePhoneCall({
      sipPort: settings.SIP_PORT,
      from: patient.phone,
      to: number,
      steps: [{ pauseMs: 500 }],
      dir: work,
      sippPort,
      mediaPort: await freePort(),
      timeoutSeconds: 8,
      auth: { ...credentials, password: 'not-the-password' },
    });
    expect((await wrong.finished).code).not.toBe(0);
    // Challenged again after answering with the wrong password (not a timeout).
    expect(readText(`${work}/sipp-${sippPort}-errors.log`, 'utf8')).toMatch(/SIP\/2\.0 (40[137])/);
    expect(await db.callSession.count({ where: { clinicId: clinic.id } })).toBe(0);

    const right = await placePhoneCall({
      sipPort: settings.SIP_PORT,
      from: patient.phone,
      to: number,
      steps: [{ pauseMs: 3000 }],
      dir: work,
      sippPort: await freePort(),
      mediaPort: await freePort(),
      auth: credentials,
    });
    const { code, output } = await right.finished;
    expect(code, output).toBe(0);
    expect(right.heard().peakRms).toBeGreaterThan(0.01);
    expect(await db.callSession.count({ where: { clinicId: clinic.id, channel: 'PHONE' } })).toBe(1);
  });

  it('dials out from a consult to a phone that answers (SIPp): both hear each other, and the hang-up is recorded', async () => {
    const uasPort = await freePort();
    const { clinic, doctor } = await clinicWithLine({ outboundAddress: `127.0.0.1:${uasPort}` });
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
    const clinician = staffPrincipal(doctor);
    await enqueueForAppointment(patientPrincipal({ patient, appointment: visit }));
    await setPresence(clinician, 'AVAILABLE');
    await acceptOffer(clinician, (await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } })).id);
    const answering = await answerPhoneCall({ dir: work, sippPort: uasPort, mediaPort: await freePort() });

    const joined = await joinConsult(livekit(), clinician, visit.id);
    const clinicianSide = await joinAsClinician(joined, 15);

    const startedAt = Date.now();
    const dialled = await dialOutToConsult({ livekit: livekit(), sip: sip() }, clinician, { appointmentId: visit.id, number: '+8613700000001' });
    await waitFor(async () => clinicianSide.loudestFromPhone() > 0.01, { timeoutMs: 20_000, what: 'the answering phone heard in the consult' });
    await waitFor(async () => answering.loudestSince(startedAt) > 0.01, { timeoutMs: 20_000, what: 'the clinician heard at the phone' });

    await livekit().removeParticipant(joined.room, dialled.participantIdentity);
    const { code, output } = await answering.finished;
    expect(code, output).toBe(0);
    await expect
      .poll(
        async () => (await db.consultParticipant.findFirst({ where: { appointmentId: visit.id, identity: dialled.participantIdentity } }))?.leftAt ?? null,
        { timeout: 10_000 },
      )
      .not.toBeNull();
    expect(await db.auditEvent.count({ where: { action: 'consult.dial-out', subject: `Appointment/${visit.id}` } })).toBe(1);
  }, 60_000);

  it('steps a phone consult up to video: the link goes to the calling number, opens the same visit and room, and the phone leg is hung up with the task kept', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { birthDate: '1949-11-02', primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
    const clinician = staffPrincipal(doctor);
    await setPresence(clinician, 'AVAILABLE');
    // From a number the clinic does not know (a daughter's phone): identified by date of birth, then 1, 1.
    const callerNumber = '+8613000000555';
    const phone = await call(
      callerNumber,
      number,
      [{ pauseMs: 2000 }, { keys: '19491102', gapMs: 400 }, { pauseMs: 2500 }, { keys: '11', gapMs: 1500 }],
      60,
      'clinic',
    );
    await expect.poll(() => db.offer.count({ where: { clinicianId: doctor.id, state: 'PENDING' } }), { timeout: 30_000 }).toBe(1);
    await acceptCall(livekit(), clinician, (await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } })).id);

    await sendVideoLink(clinician, visit.id);
    const texts: string[] = [];
    await sendDueMessages(new DevSmsProvider((line) => texts.push(line)), new Date(), { clinicId: clinic.id });
    const text = texts.find((line) => line.includes(`to ${callerNumber}:`));
    expect(text, texts.join('\n')).toBeDefined();
    const token = /\/v\/([A-Za-z0-9_-]+)/.exec(text!)![1]!;
    const signedIn = await checkPatientLink({ token, birthDate: '1949-11-02' }, { maxFailedAttempts: 5 });
    expect(signedIn).toMatchObject({ ok: true, appointmentId: visit.id, patientId: patient.id });

    // The patient's phone browser: consent, then the call, which is already the consult, in the phone call's room.
    const principal = patientPrincipal({ patient, appointment: visit });
    const consent = await telehealthConsentFor(principal, 'en');
    await acceptTelehealthConsent(principal, { locale: 'en', text: consent.text });
    const web = await startPatientCall(livekit(), principal, { audioOnly: false, locale: 'en' });
    expect(web.stage).toBe('CONSULT');
    const session = await sessionOfCaller(clinic.id);
    expect(web.room).toBe(session!.room);
    const browser = new Room();
    rooms.push(browser);
    await browser.connect(web.serverUrl, web.token, { autoSubscribe: true, dynacast: false });

    // The bridge hangs the phone up (SIPp receives the BYE), and the visit goes on by video.
    const { code, output } = await phone.finished;
    expect(code, output).toBe(0);
    await expect.poll(async () => (await db.callSession.findUniqueOrThrow({ where: { id: session!.id } })).stage, { timeout: 10_000 }).toBe('ENDED');
    const tasks = await db.task.findMany({ where: { appointmentId: visit.id } });
    expect(tasks.map((task) => [task.state, task.channel])).toEqual([['ASSIGNED', 'PHONE']]);
    expect(await db.auditEvent.count({ where: { action: 'call.stepped-up-to-video', subject: `Appointment/${visit.id}` } })).toBe(1);
  }, 90_000);

  it('a restart of the SIP bridge mid-call drops the call and abandons its wait with the time, and the new bridge takes the next call', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
    const holdMs = 25_000;
    const dropped = await call(patient.phone, number, [{ pauseMs: 2500 }, { keys: '11', gapMs: 1500 }, { pauseMs: holdMs }], 60);
    await expect.poll(async () => (await db.task.findFirst({ where: { appointmentId: visit.id } }))?.state, { timeout: 20_000 }).toBe('WAITING');
    const session = await sessionOfCaller(clinic.id);

    const restarted = await fetch(`${process.env.SIP_CONTROL_URL}/restart`, { method: 'POST' });
    expect(restarted.status).toBe(200);
    const restartedAt = Date.now();
    await expect.poll(async () => (await db.task.findFirstOrThrow({ where: { appointmentId: visit.id } })).state, { timeout: 45_000 }).toBe('ABANDONED');
    const task = await db.task.findFirstOrThrow({ where: { appointmentId: visit.id } });
    expect(task.endReason).toBe('left');
    expect(task.abandonedAt!.getTime()).toBeGreaterThan(restartedAt - 15_000);
    // Ended by the restart, not by the phone's own BYE (sent after its hold, to a bridge that no longer knows the call).
    const byeAt = dropped.events().answered! + 2500 + (2 * 1500 + 300) + holdMs;
    expect(task.abandonedAt!.getTime()).toBeLessThan(byeAt);
    expect((await db.callSession.findUniqueOrThrow({ where: { id: session!.id } })).stage).toBe('ENDED');
    expect((await livekit().listParticipants(session!.room)).filter((p) => p.identity.startsWith('sip_'))).toEqual([]);

    // The bridge hung the phone up on its way down: SIPp, in its hold, got the BYE.
    const droppedEnd = await dropped.finished;
    expect(droppedEnd.code).not.toBe(0);
    expect(droppedEnd.output + readText(`${work}/sipp-${dropped.sippPort}-errors.log`, 'utf8')).toMatch(/BYE/);
    const next = await call(patient.phone, number, [{ pauseMs: 3000 }], 30);
    expect((await next.finished).code).toBe(0);
    expect(next.heard().peakRms).toBeGreaterThan(0.01);
  }, 150_000);

  it('refuses a call from an address the line does not allow: no room, no session', async () => {
    const { clinic, number } = await clinicWithLine({ allowedAddresses: ['203.0.113.7/32'] });
    const phone = await call('+8613000000888', number, [{ pauseMs: 500 }], 8);
    const { code } = await phone.finished;
    expect(code).not.toBe(0);
    expect(await db.callSession.count({ where: { clinicId: clinic.id } })).toBe(0);
    const rooms = await new RoomServiceClient(settings.LIVEKIT_URL.replace(/^ws/, 'http'), settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET).listRooms();
    expect(rooms.map((room) => room.name).filter((name) => name.includes('+8613000000888'))).toEqual([]);
  });
});
