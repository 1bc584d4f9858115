import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { sendDueMessages } from '@/server/notify/outbox-worker';
import { startFakeSmsServer, type FakeSmsServer } from '@/server/notify/testing/fake-sms-server';
import { TwilioSmsProvider } from '@/server/notify/twilio-sms-provider';
import { checkGuestInvite, INVITE_TTL_HOURS, previewInvite } from './invite-service';

// Real PostgreSQL, the harness's real LiveKit, and a Twilio-compatible HTTP server for the text message.
const verifier = new TokenVerifier(process.env.LIVEKIT_API_KEY!, process.env.LIVEKIT_API_SECRET!);
type Staff = { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' };
const staff = (u: Staff): Principal => ({ kind: 'staff', id: u.id, name: u.name, role: u.role, clinicId: u.clinicId });
const caller = (p: Principal) => createCaller(createContext(p));
let sms: FakeSmsServer;

beforeAll(async () => {
  sms = await startFakeSmsServer();
});
afterAll(async () => {
  await sms.close();
});

async function runningConsult() {
  const s = await createVisitScenario();
  const patient = patientPrincipal(s);
  await enqueueForAppointment(patient);
  await setPresence(staff(s.doctor), 'AVAILABLE');
  await acceptOffer(staff(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
  return { ...s, patientPrincipal: patient };
}

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

function guestOf(check: Awaited<ReturnType<typeof checkGuestInvite>>): Principal {
  if (!check.ok) throw new Error(`guest check refused: ${check.reason}`);
  return { kind: 'guest', id: check.inviteId, name: check.name, clinicId: check.clinicId, appointmentId: check.appointmentId, guestRole: check.role };
}

describe('guest invites (real PostgreSQL and LiveKit)', () => {
  it('lets a guest in with name and code, only into that consult, with no clinical tools; removal closes the link', async () => {
    const s = await runningConsult();
    const invited = await caller(staff(s.doctor)).multiparty.createInvite({ appointmentId: s.appointment.id, role: 'INTERPRETER', displayName: 'Lin Hua' });
    expect(invited.url).toMatch(/\/g\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(invited.url!);
    const stored = await db.consultInvite.findUniqueOrThrow({ where: { id: invited.inviteId } });
    expect(stored.tokenHash).not.toContain(token);
    expect(stored.codeHash).not.toContain(invited.code!);
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(INVITE_TTL_HOURS * 3600_000);
    expect(await previewInvite(token)).toMatchObject({ ok: true, role: 'INTERPRETER' });

    // Wrong code, wrong name: refused with the attempts left. Name spacing and case do not matter.
    const wrongCode = invited.code === '000000' ? '111111' : '000000';
    expect(await checkGuestInvite({ token, name: 'Lin Hua', code: wrongCode })).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    expect(await checkGuestInvite({ token, name: 'Someone Else', code: invited.code! })).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 3 });
    const guest = guestOf(await checkGuestInvite({ token, name: '  lin   HUA ', code: invited.code! }));

    const joined = await caller(guest).consult.join({ appointmentId: s.appointment.id });
    expect(joined).toMatchObject({ role: 'guest', partyRole: 'INTERPRETER', identity: `guest_${invited.inviteId}` });
    const claims = await verifier.verify(joined.token);
    expect(claims.sub).toBe(`guest_${invited.inviteId}`);
    expect(claims.video?.canPublishSources).toEqual(['camera', 'microphone']);
    expect((await caller(guest).multiparty.access({ appointmentId: s.appointment.id })).permissions).toMatchObject({
      viewChart: false,
      invite: false,
      remove: false,
      requestSpecialist: false,
    });
    // Nothing else is open to a guest: other consults, invitations, notes, requests, the desk.
    const other = await createVisitScenario();
    await expect(caller(guest).consult.join({ appointmentId: other.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(guest).multiparty.listInvites({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(guest).multiparty.specialistNotes({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      caller(guest).multiparty.requestSpecialist({ appointmentId: s.appointment.id, department: 'cardiology', urgency: 'ROUTINE' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(guest).desk.setPresence({ state: 'AVAILABLE' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(guest).appointment.listToday()).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // The GP withdraws the invitation (the guest is not connected here, so LiveKit has no one to drop).
    await caller(staff(s.doctor)).multiparty.revokeInvite({ inviteId: invited.inviteId });
    expect(await caller(staff(s.doctor)).multiparty.listInvites({ appointmentId: s.appointment.id })).toEqual([
      expect.objectContaining({ displayName: 'Lin Hua', state: 'revoked' }),
    ]);
    // The same link no longer works, and the guest's existing session does not get back in.
    expect(await checkGuestInvite({ token, name: 'Lin Hua', code: invited.code! })).toEqual({ ok: false, reason: 'revoked' });
    expect(await previewInvite(token)).toEqual({ ok: false, reason: 'revoked' });
    await expect(caller(guest).consult.join({ appointmentId: s.appointment.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { reason: 'guestRemoved' },
    });
  });

  it('refuses an expired invitation, locks after five wrong answers, and lets only clinical parties invite', async () => {
    const s = await runningConsult();
    const gp = caller(staff(s.doctor));
    const expired = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Wang Li' });
    await db.consultInvite.update({ where: { id: expired.inviteId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await checkGuestInvite({ token: tokenOf(expired.url!), name: 'Wang Li', code: expired.code! })).toEqual({ ok: false, reason: 'expired' });

    const locked = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Wang Li' });
    const wrong = locked.code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      expect(await checkGuestInvite({ token: tokenOf(locked.url!), name: 'Wang Li', code: wrong })).toEqual({ ok: false, reason: 'wrong', attemptsLeft: left });
    }
    expect(await checkGuestInvite({ token: tokenOf(locked.url!), name: 'Wang Li', code: wrong })).toEqual({ ok: false, reason: 'locked' });
    expect(await checkGuestInvite({ token: tokenOf(locked.url!), name: 'Wang Li', code: locked.code! })).toEqual({ ok: false, reason: 'locked' });
    expect(await checkGuestInvite({ token: 'not-a-token', name: 'Wang Li', code: locked.code! })).toEqual({ ok: false, reason: 'malformed' });

    await expect(
      caller(s.patientPrincipal).multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Cousin' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: ' ' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'X', phone: '12345' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await db.consultInvite.count({ where: { appointmentId: s.appointment.id } })).toBe(2);

    // When the consult ends, open invitations stop working.
    const open = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Wang Li' });
    await gp.consult.end({ appointmentId: s.appointment.id });
    expect(await checkGuestInvite({ token: tokenOf(open.url!), name: 'Wang Li', code: open.code! })).toEqual({ ok: false, reason: 'ended' });
  });

  it('sends an invitation by text message with a link and code that work, written at send time', async () => {
    const s = await runningConsult();
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    const invited = await caller(staff(nurse)).multiparty.createInvite({
      appointmentId: s.appointment.id,
      role: 'FAMILY',
      displayName: '王丽',
      phone: '+8613900001111',
    });
    expect(invited).toMatchObject({ sentTo: '+8613900001111', url: null, code: null });
    const provider = new TwilioSmsProvider({
      accountSid: sms.accountSid,
      authToken: sms.authToken,
      from: '+15005550006',
      baseUrl: sms.baseUrl,
      timeoutMs: 3000,
    });
    const summary = await sendDueMessages(provider, new Date(), { clinicId: s.clinic.id, appUrl: 'https://revisit.example.org' });
    expect(summary.sent).toBe(1);
    const text = sms.accepted().find((r) => r.form.To === '+8613900001111')!.form.Body!;
    const match = text.match(/https:\/\/revisit\.example\.org\/g\/([A-Za-z0-9_-]{43}) .*?(\d{6})/);
    expect(match, text).not.toBeNull();
    const message = await db.message.findFirstOrThrow({ where: { dedupeKey: `consult-invite:${invited.inviteId}` } });
    expect(message).toMatchObject({ status: 'SENT', to: '+8613900001111', kind: 'CONSULT_INVITE' });
    expect(message.bodyPreview).not.toContain(match![1]);
    const guest = guestOf(await checkGuestInvite({ token: match![1]!, name: '王丽', code: match![2]! }));
    expect((await caller(guest).consult.join({ appointmentId: s.appointment.id })).partyRole).toBe('FAMILY');
  });
});
