import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispose, Room } from '@livekit/rtc-node';
import { POST as livekitWebhook } from '@/app/api/livekit/webhook/route';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { livekit } from '@/server/livekit';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { consultRoomName, guestIdentity } from './consult-service';
import { checkGuestInvite } from './invite-service';

// The harness's real LiveKit sends its webhooks to the app's address (APP_URL); here that address serves the
// app's real webhook route. Guests connect for real (@livekit/rtc-node) with the tokens the portal issues.
let receiver: Server;
const rooms: Room[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      if (req.url !== '/api/livekit/webhook') return void res.writeHead(404).end();
      const headers = new Headers({ 'content-type': req.headers['content-type'] ?? 'application/webhook+json' });
      if (req.headers.authorization) headers.set('authorization', req.headers.authorization);
      const response = await livekitWebhook(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers, body }));
      res.writeHead(response.status).end(await response.text());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(Number(process.env.WEB_PORT), '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const room of rooms) await room.disconnect().catch(() => {});
  await dispose();
  await new Promise((resolve) => receiver?.close(resolve));
});

const caller = (principal: Principal) => createCaller(createContext(principal));

async function connect(joined: { serverUrl: string; token: string }) {
  const room = new Room();
  rooms.push(room);
  await room.connect(joined.serverUrl, joined.token, { autoSubscribe: false, dynacast: false });
  return room;
}

describe('a removed guest (real LiveKit, its webhooks through the app route)', () => {
  it('cannot come back with the LiveKit token they kept: the room refuses an identity the portal revoked', async () => {
    const s = await createVisitScenario();
    await enqueueForAppointment(patientPrincipal(s));
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const gp = caller(staffPrincipal(s.doctor));
    await connect(await gp.consult.join({ appointmentId: s.appointment.id }));

    const invited = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Zhang Wei' });
    const check = await checkGuestInvite({ token: invited.url!.slice(invited.url!.lastIndexOf('/') + 1), name: 'Zhang Wei', code: invited.code! });
    if (!check.ok) throw new Error(`guest check refused: ${check.reason}`);
    const guest: Principal = {
      kind: 'guest',
      id: check.inviteId,
      name: check.name,
      clinicId: check.clinicId,
      appointmentId: check.appointmentId,
      guestRole: check.role,
    };
    const identity = guestIdentity(check.inviteId);
    const kept = await caller(guest).consult.join({ appointmentId: s.appointment.id });
    const first = await connect(kept);
    await expect.poll(() => db.consultParticipant.count({ where: { appointmentId: s.appointment.id, identity } }), { timeout: 15_000 }).toBe(1);

    await gp.multiparty.removeParticipant({ appointmentId: s.appointment.id, identity });
    await expect.poll(() => first.isConnected, { timeout: 10_000 }).toBe(false);
    // The portal gives no new token...
    await expect(caller(guest).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { reason: 'guestRemoved' },
    });

    // ...and the one they kept gets them into the room only until the portal hears of it: then they are put out.
    const again = await connect(kept).catch(() => null);
    await expect.poll(() => db.consultParticipant.count({ where: { appointmentId: s.appointment.id, identity } }), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => again?.isConnected ?? false, { timeout: 10_000 }).toBe(false);
    await expect
      .poll(async () => (await livekit().listParticipants(consultRoomName(s.appointment))).map((p) => p.identity), { timeout: 10_000 })
      .not.toContain(identity);
    await expect
      .poll(() => db.auditEvent.count({ where: { action: 'consult.participant-refused', subject: `Appointment/${s.appointment.id}` } }), { timeout: 10_000 })
      .toBe(1);
    // Everyone else stays: the clinician is still in the room.
    expect((await livekit().listParticipants(consultRoomName(s.appointment))).map((p) => p.identity)).toContain(s.doctor.id);
  });
});
