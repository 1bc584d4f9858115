import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomServiceClient, TrackSource as ServerTrackSource } from 'livekit-server-sdk';
import { AudioSource, dispose, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { freePort } from '@/scripts/lib/proc.mjs';
import { startLivekit } from '@/scripts/lib/livekit.mjs';
import { createLivekitGateway } from '@/server/livekit/livekit-gateway';
import { receiveLivekitWebhook } from '@/server/livekit/webhook-service';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createSpecialist, createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { consultRoomName, joinConsult } from './consult-service';
import { muteParticipant, removeParticipant } from './participant-service';
import { requestSpecialist } from './specialist-request-service';

// A consult room of at most 3 for this file (read once, at the first join).
process.env.CONSULT_MAX_PARTICIPANTS = '3';

// A LiveKit server of this test's own whose webhooks run the real intake, and real participants
// (@livekit/rtc-node) joining with the tokens the consult service issues.
const apiKey = 'multiparty-test';
const apiSecret = randomBytes(32).toString('hex');
let livekit: Awaited<ReturnType<typeof startLivekit>>;
let receiver: Server;
let gateway: ReturnType<typeof createLivekitGateway>;
const delivered: { body: string; authorization: string | null }[] = [];
const rooms: Room[] = [];

beforeAll(async () => {
  const port = await freePort();
  livekit = await startLivekit({ dir: `.data/test/livekit-multiparty-${port}`, apiKey, apiSecret, webhookUrl: `http://127.0.0.1:${port}/webhook` });
  gateway = createLivekitGateway({ url: livekit.url, apiKey, apiSecret, tokenTtlSeconds: 600 });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      try {
        await receiveLivekitWebhook(gateway, body, req.headers.authorization ?? null);
        delivered.push({ body, authorization: req.headers.authorization ?? null });
        res.writeHead(200).end();
      } catch {
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const room of rooms) await room.disconnect().catch(() => {});
  await dispose();
  await livekit?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

type Staff = { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' };
const staff = (u: Staff): Principal => ({ kind: 'staff', id: u.id, name: u.name, role: u.role, clinicId: u.clinicId });

async function connect(principal: Principal, appointmentId: string, withMicrophone = false) {
  const joined = await joinConsult(gateway, principal, appointmentId);
  const room = new Room();
  await room.connect(joined.serverUrl, joined.token, { autoSubscribe: false, dynacast: false });
  rooms.push(room);
  if (withMicrophone) {
    const source = new AudioSource(48_000, 1);
    const track = LocalAudioTrack.createAudioTrack('microphone', source);
    await room.localParticipant!.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
  }
  return room;
}

describe('consult room participants (real LiveKit and its webhooks)', () => {
  it('records who joined and left with their roles, caps the room, and enforces mute and remove rules', async () => {
    const s = await createVisitScenario();
    const patient = patientPrincipal(s, 'Patient');
    await enqueueForAppointment(patient);
    await setPresence(staff(s.doctor), 'AVAILABLE');
    await acceptOffer(staff(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const specialist = await createSpecialist(s.clinic.id, ['cardiology']);
    await requestSpecialist(staff(s.doctor), { appointmentId: s.appointment.id, department: 'cardiology', urgency: 'ROUTINE' });
    await setPresence(staff(specialist), 'AVAILABLE');
    await acceptOffer(staff(specialist), (await db.offer.findFirstOrThrow({ where: { clinicianId: specialist.id, state: 'PENDING' } })).id);

    await connect(staff(s.doctor), s.appointment.id);
    await connect(patient, s.appointment.id, true);
    const specialistRoom = await connect(staff(specialist), s.appointment.id);

    // Three is this file's limit: a fourth is refused, while someone reconnecting still gets in.
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    await expect(joinConsult(gateway, staff(nurse), s.appointment.id)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'consultFull' });
    await expect(joinConsult(gateway, staff(s.doctor), s.appointment.id)).resolves.toMatchObject({ partyRole: 'GP' });
    const [info] = await new RoomServiceClient(livekit.httpUrl, apiKey, apiSecret).listRooms([consultRoomName(s.appointment)]);
    expect(info?.maxParticipants).toBe(3);

    // LiveKit's webhooks wrote one stay per participant, with the role from their token.
    await expect
      .poll(() => db.consultParticipant.findMany({ where: { appointmentId: s.appointment.id }, select: { identity: true, role: true, leftAt: true } }), {
        timeout: 15_000,
      })
      .toHaveLength(3);
    const stays = await db.consultParticipant.findMany({ where: { appointmentId: s.appointment.id }, select: { identity: true, role: true } });
    expect(stays).toEqual(
      expect.arrayContaining([
        { identity: s.doctor.id, role: 'GP' },
        { identity: s.patient.id, role: 'PATIENT' },
        { identity: specialist.id, role: 'SPECIALIST' },
      ]),
    );

    // A retried delivery of the same events changes nothing.
    for (const d of delivered.filter((d) => d.body.includes(s.appointment.id))) {
      await receiveLivekitWebhook(gateway, d.body, d.authorization).catch(() => {});
    }
    expect(await db.consultParticipant.count({ where: { appointmentId: s.appointment.id } })).toBe(3);

    // Mute: the patient may not mute the doctor; the specialist may mute the patient, in LiveKit itself.
    await expect(muteParticipant(gateway, patient, { appointmentId: s.appointment.id, identity: s.doctor.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(muteParticipant(gateway, staff(specialist), { appointmentId: s.appointment.id, identity: s.patient.id })).resolves.toEqual({ muted: true });
    const roomName = consultRoomName(s.appointment);
    await expect
      .poll(
        async () =>
          (await gateway.listParticipants(roomName)).find((p) => p.identity === s.patient.id)?.tracks.find((t) => t.source === ServerTrackSource.MICROPHONE)
            ?.muted,
      )
      .toBe(true);

    // Remove: the specialist may not remove the patient; the doctor may remove the specialist.
    await expect(removeParticipant(gateway, staff(specialist), { appointmentId: s.appointment.id, identity: s.patient.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(removeParticipant(gateway, patient, { appointmentId: s.appointment.id, identity: specialist.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await removeParticipant(gateway, staff(s.doctor), { appointmentId: s.appointment.id, identity: specialist.id });
    await expect.poll(() => specialistRoom.isConnected, { timeout: 10_000 }).toBe(false);
    await expect
      .poll(async () => (await db.consultParticipant.findFirstOrThrow({ where: { appointmentId: s.appointment.id, identity: specialist.id } })).leftAt, {
        timeout: 15_000,
      })
      .toBeInstanceOf(Date);
    // Removed, the specialist's task is finished and they go into wrap-up.
    expect((await db.clinicianPresence.findUniqueOrThrow({ where: { userId: specialist.id } })).state).toBe('WRAP_UP');
  });
});
