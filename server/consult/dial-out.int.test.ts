import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createSipGateway } from '@/server/sip/sip-gateway';
import { createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { dialOutToConsult } from './dial-out-service';

// The harness's real LiveKit, which has no SIP bridge: a configured trunk reaches LiveKit and fails there.
type Staff = { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' };
const staff = (u: Staff): Principal => ({ kind: 'staff', id: u.id, name: u.name, role: u.role, clinicId: u.clinicId });

describe('dial-out (real LiveKit without SIP)', () => {
  it('is disabled with its reason without a trunk, refuses bad numbers and patients, and reports a failed call', async () => {
    const s = await createVisitScenario();
    const patient = patientPrincipal(s);
    await enqueueForAppointment(patient);
    await setPresence(staff(s.doctor), 'AVAILABLE');
    await acceptOffer(staff(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const gp = createCaller(createContext(staff(s.doctor)));

    expect(env().SIP_OUTBOUND_TRUNK_ID).toBeUndefined();
    expect((await gp.multiparty.access({ appointmentId: s.appointment.id })).dialOut).toEqual({ enabled: false, reason: 'noTrunk' });
    await expect(gp.multiparty.dialOut({ appointmentId: s.appointment.id, number: '+8613800000009' })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { reason: 'dialOutDisabled' },
    });
    await expect(gp.multiparty.dialOut({ appointmentId: s.appointment.id, number: '13800000009' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const withTrunk = { ...env(), SIP_OUTBOUND_TRUNK_ID: 'ST_notprovisioned' };
    const e = env();
    const gateways = { livekit: livekit(), sip: createSipGateway({ url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET }) };
    await livekit().ensureRoom(`consult-${s.appointment.id}`, { maxParticipants: 6, emptyTimeoutSeconds: 60 });
    await expect(dialOutToConsult(gateways, patient, { appointmentId: s.appointment.id, number: '+8613800000009' }, withTrunk)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(dialOutToConsult(gateways, staff(s.doctor), { appointmentId: s.appointment.id, number: '+8613800000009' }, withTrunk)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      reason: 'dialOutFailed',
    });
    expect(await db.auditEvent.count({ where: { action: 'consult.dial-out', subject: `Appointment/${s.appointment.id}` } })).toBe(0);
  });
});
