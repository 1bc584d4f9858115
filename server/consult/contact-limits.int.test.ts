import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { createSipGateway } from '@/server/sip/sip-gateway';
import { addVisit, createVisitScenario, staffPrincipal } from '@/server/testing/factories';
import { DIAL_OUT_LIMITS, SMS_INVITE_LIMITS } from './contact-limits';
import { dialOutToConsult } from './dial-out-service';
import { createInvite } from './invite-service';

// Real PostgreSQL and the harness's real LiveKit (no SIP bridge: every call reaches LiveKit and fails there).
const smsInvite = (appointmentId: string, n: number) => ({
  appointmentId,
  role: 'FAMILY' as const,
  displayName: `Guest ${n}`,
  phone: `+861390000${String(n).padStart(4, '0')}`,
});

describe('guest invitations by text message and phone calls are limited (real PostgreSQL and LiveKit)', () => {
  it('stops text invitations at the consult’s limit, audits the refusal, and still gives invitation links', async () => {
    const s = await createVisitScenario();
    const gp = createCaller(createContext(staffPrincipal(s.doctor)));
    for (let n = 0; n < SMS_INVITE_LIMITS.perConsult; n++) await gp.multiparty.createInvite(smsInvite(s.appointment.id, n));
    await expect(gp.multiparty.createInvite(smsInvite(s.appointment.id, 99))).rejects.toMatchObject({ code: 'CONFLICT', cause: { reason: 'inviteLimit' } });
    expect(await db.consultInvite.count({ where: { appointmentId: s.appointment.id } })).toBe(SMS_INVITE_LIMITS.perConsult);
    expect(await db.message.count({ where: { appointmentId: s.appointment.id, kind: 'CONSULT_INVITE' } })).toBe(SMS_INVITE_LIMITS.perConsult);
    const refusals = await db.auditEvent.findMany({ where: { action: 'consult.guest-invite-refused', subject: `Appointment/${s.appointment.id}` } });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ actor: `staff:${s.doctor.id}`, outcome: 'failure', detail: { limit: 'consult', max: SMS_INVITE_LIMITS.perConsult } });
    // A link staff pass on themselves sends nothing, so it is not limited.
    await expect(gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'INTERPRETER', displayName: 'Lin Hua' })).resolves.toMatchObject({
      sentTo: null,
    });
  });

  it('stops text invitations at the clinic’s hourly limit across consults, one at a time when two race for the last place', async () => {
    const s = await createVisitScenario();
    const other = await addVisit(s.clinic.id, s.doctor.id);
    const limits = { perConsult: 5, perClinicPerHour: 4 };
    const gp = staffPrincipal(s.doctor);
    const now = new Date();
    for (let n = 0; n < 3; n++) await createInvite(gp, smsInvite(s.appointment.id, n), now, limits);
    const raced = await Promise.allSettled([
      createInvite(gp, smsInvite(other.appointment.id, 10), now, limits),
      createInvite(gp, smsInvite(other.appointment.id, 11), now, limits),
    ]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(raced.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT', reason: 'inviteLimit' } });
    expect(
      await db.auditEvent.count({ where: { action: 'consult.guest-invite-refused', clinicId: s.clinic.id, detail: { equals: { limit: 'clinic', max: 4 } } } }),
    ).toBe(1);
    // An hour later the clinic may send again.
    const later = new Date(now.getTime() + 3600_000 + 1000);
    await expect(createInvite(gp, smsInvite(other.appointment.id, 12), later, limits)).resolves.toMatchObject({ sentTo: expect.any(String) });
  });

  it('stops dial-outs at the consult’s limit, counting calls that failed, and audits the refusal', async () => {
    const s = await createVisitScenario();
    const e = env();
    const settings = { ...e, SIP_OUTBOUND_TRUNK_ID: 'ST_notprovisioned' };
    const gateways = { livekit: livekit(), sip: createSipGateway({ url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET }) };
    await livekit().ensureRoom(`consult-${s.appointment.id}`, { maxParticipants: 6, emptyTimeoutSeconds: 60 });
    const dial = (n: number) =>
      dialOutToConsult(gateways, staffPrincipal(s.doctor), { appointmentId: s.appointment.id, number: `+8613800${String(n).padStart(5, '0')}` }, settings);
    for (let n = 0; n < DIAL_OUT_LIMITS.perConsult; n++) await expect(dial(n)).rejects.toMatchObject({ reason: 'dialOutFailed' });
    await expect(dial(99)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'dialOutLimit' });
    const refusals = await db.auditEvent.findMany({ where: { action: 'consult.dial-out-refused', subject: `Appointment/${s.appointment.id}` } });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ outcome: 'failure', detail: { limit: 'consult', max: DIAL_OUT_LIMITS.perConsult } });
    expect(await db.auditEvent.count({ where: { action: 'consult.dial-out-attempted', subject: `Appointment/${s.appointment.id}` } })).toBe(
      DIAL_OUT_LIMITS.perConsult,
    );

    // The clinic's hourly limit counts every consult's calls.
    const other = await addVisit(s.clinic.id, s.doctor.id);
    await livekit().ensureRoom(`consult-${other.appointment.id}`, { maxParticipants: 6, emptyTimeoutSeconds: 60 });
    const small = { perConsult: 20, perClinicPerHour: DIAL_OUT_LIMITS.perConsult + 1 };
    const dialOther = () =>
      dialOutToConsult(gateways, staffPrincipal(s.doctor), { appointmentId: other.appointment.id, number: '+8613800012345' }, settings, small);
    await expect(dialOther()).rejects.toMatchObject({ reason: 'dialOutFailed' });
    await expect(dialOther()).rejects.toMatchObject({ code: 'CONFLICT', reason: 'dialOutLimit' });
  });
});
