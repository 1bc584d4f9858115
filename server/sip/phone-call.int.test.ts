import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomServiceClient } from 'livekit-server-sdk';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { freePort, startService, waitFor } from '@/scripts/lib/proc.mjs';
import { receiveLivekitWebhook } from '@/server/livekit/webhook-service';
import { closeAgentJobs } from '@/server/agents/job-queue';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { sip } from './index';
import { reconcilePhoneLines } from './provisioning';
import { placePhoneCall, type CallStep } from './testing/sipp-phone';

// The test stack's LiveKit (Redis mode) and SIP bridge, a real agents worker, SIPp as the phone. LiveKit's webhooks
// go to the web app's address, which nothing serves during the integration tests: this test serves it with the real
// intake.
const settings = env();
let receiver: Server;
let worker: ReturnType<typeof startService>;
const work = `.data/test/phone-${process.pid}`;

beforeAll(async () => {
  const port = Number(new URL(settings.APP_URL).port);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      receiveLivekitWebhook(livekit(), body, req.headers.authorization ?? null).then(
        () => res.writeHead(200).end(),
        (error) => {
          console.error(`[webhook] ${(error as Error).message}`);
          res.writeHead(500).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
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

afterAll(async () => {
  await worker?.stop();
  await closeAgentJobs();
  await new Promise((resolve) => receiver?.close(resolve));
});

function clinicNumber() {
  return `+86571${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;
}

/** A clinic with a phone line that accepts calls from this machine, provisioned in LiveKit SIP. */
async function clinicWithLine(options: { allowedAddresses?: string[] } = {}) {
  const clinic = await createClinic();
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const number = clinicNumber();
  await db.clinicPhone.create({ data: { clinicId: clinic.id, numbers: [number], allowedAddresses: options.allowedAddresses ?? ['127.0.0.1/32'] } });
  await reconcilePhoneLines(sip(), clinic.id);
  return { clinic, doctor, number };
}

async function call(from: string, to: string, steps: CallStep[], timeoutSeconds?: number) {
  return placePhoneCall({ sipPort: settings.SIP_PORT, from, to, steps, dir: work, sippPort: await freePort(), mediaPort: await freePort(), timeoutSeconds });
}

const sessionOfCaller = (clinicId: string) => db.callSession.findFirst({ where: { clinicId, channel: 'PHONE' }, orderBy: { startedAt: 'desc' } });

describe('phone callers through LiveKit SIP', () => {
  it('a known caller hears the menu, keys 1 then 1 by DTMF, waits in line with that reason, and hanging up abandons the wait', async () => {
    const { clinic, doctor, number } = await clinicWithLine();
    const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
    const visit = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });

    const phone = await call(patient.phone, number, [{ pauseMs: 3000 }, { keys: '11', gapMs: 2000 }, { pauseMs: 4000 }]);
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
