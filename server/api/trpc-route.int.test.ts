import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTRPCRouter, publicProcedure } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { DomainError } from '@/server/errors';
import { livekit } from '@/server/livekit';
import { createLivekitGateway, MEDIA_UNAVAILABLE_MESSAGE } from '@/server/livekit/livekit-gateway';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { DIAL_OUT_FAILED_MESSAGE } from '@/server/sip/sip-gateway';
import { createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { freePort } from '@/scripts/lib/proc.mjs';
import { createTrpcHandler } from '@/app/api/trpc/[trpc]/handler';

// The route as the app serves it (the real router and the harness's real LiveKit, which has no SIP bridge),
// with a trunk configured so a dial-out reaches LiveKit and fails there. Set before the env is first read.
const previousTrunk = vi.hoisted(() => {
  const previous = process.env.SIP_OUTBOUND_TRUNK_ID;
  process.env.SIP_OUTBOUND_TRUNK_ID = 'ST_notprovisioned';
  return previous;
});
afterAll(() => {
  if (previousTrunk === undefined) delete process.env.SIP_OUTBOUND_TRUNK_ID;
  else process.env.SIP_OUTBOUND_TRUNK_ID = previousTrunk;
});

async function post(handler: (request: Request) => Promise<Response>, path: string, input: unknown) {
  const response = await handler(
    new Request(`http://127.0.0.1/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }),
  );
  const body = (await response.json()) as { error: { message: string; data: { reason: string | null; code: string } } };
  return { status: response.status, body, text: JSON.stringify(body) };
}

/** What the route logged while `run` ran (console.error, captured so it is read here instead of failing the test). */
async function logsOf(run: () => Promise<void>): Promise<string> {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await run();
    return spy.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
  } finally {
    spy.mockRestore();
  }
}

async function runningConsult() {
  const s = await createVisitScenario();
  await enqueueForAppointment(patientPrincipal(s));
  await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
  await acceptOffer(staffPrincipal(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
  return s;
}

describe('tRPC route: what clients and logs get when something fails (real PostgreSQL and LiveKit)', () => {
  it('tells the browser a failed dial-out in plain words with its reason, and logs the SIP detail without the number', async () => {
    const s = await runningConsult();
    await livekit().ensureRoom(`consult-${s.appointment.id}`, { maxParticipants: 6, emptyTimeoutSeconds: 60 });
    const handler = createTrpcHandler(async () => staffPrincipal(s.doctor));
    let answer!: Awaited<ReturnType<typeof post>>;
    const log = await logsOf(async () => {
      answer = await post(handler, 'multiparty.dialOut', { appointmentId: s.appointment.id, number: '+8613812345678' });
    });
    expect(answer.status).toBe(503);
    expect(answer.body.error.message).toBe(DIAL_OUT_FAILED_MESSAGE);
    expect(answer.body.error.data.reason).toBe('dialOutFailed');
    expect(answer.text).not.toMatch(/twirp|127\.0\.0\.1|ST_notprovisioned|13812345678|https?:|ws:/i);

    expect(log).toContain('[trpc] multiparty.dialOut SERVICE_UNAVAILABLE');
    expect(log).toContain('(dialOutFailed)');
    expect(log).toContain('createSipParticipant on trunk ST_notprovisioned failed');
    expect(log).not.toContain('13812345678');
  });

  it('never names LiveKit’s address or its error to the client; the log keeps the address', async () => {
    const port = await freePort();
    const unreachable = createLivekitGateway({ url: `ws://127.0.0.1:${port}`, apiKey: 'k', apiSecret: 's'.repeat(32), tokenTtlSeconds: 60 });
    const error = await unreachable.ensureRoom('consult-x', { maxParticipants: 6, emptyTimeoutSeconds: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', reason: 'mediaUnavailable', message: MEDIA_UNAVAILABLE_MESSAGE });
    expect(String((error as Error).cause)).toContain(`http://127.0.0.1:${port}`);

    // Through the route: the client reads the plain message; the log has the address.
    const router = createTRPCRouter({
      openRoom: publicProcedure.mutation(() => unreachable.ensureRoom('consult-x', { maxParticipants: 6, emptyTimeoutSeconds: 60 })),
    });
    const handler = createTrpcHandler(async () => null, router);
    let answer!: Awaited<ReturnType<typeof post>>;
    const log = await logsOf(async () => {
      answer = await post(handler, 'openRoom', {});
    });
    expect(answer.body.error).toMatchObject({ message: MEDIA_UNAVAILABLE_MESSAGE, data: { reason: 'mediaUnavailable' } });
    expect(answer.text).not.toContain(String(port));
    expect(log).toContain(`LiveKit createRoom at http://127.0.0.1:${port} failed`);
  });

  it('logs an unexpected failure with its cause but without the patient data the cause carries', async () => {
    const s = await createVisitScenario();
    const principal: Principal = staffPrincipal(s.doctor);
    // A database call given a patient's details that fails: the ORM's error prints the values it was given.
    const router = createTRPCRouter({
      addPatient: publicProcedure.mutation(() =>
        db.patient.create({
          data: { clinicId: s.clinic.id, familyName: '王', givenName: 'Secretname', birthDate: '1958-06-01' as unknown as Date, phone: '+8613912345678' },
        }),
      ),
    });
    const handler = createTrpcHandler(async () => principal, router);
    let answer!: Awaited<ReturnType<typeof post>>;
    const log = await logsOf(async () => {
      answer = await post(handler, 'addPatient', {});
    });
    expect(answer.status).toBe(500);
    expect(answer.body.error.message).toBe('Something went wrong on our side. Please try again.');
    expect(log).toContain('[trpc] addPatient INTERNAL_SERVER_ERROR');
    expect(log).toContain('PrismaClientValidationError');
    expect(log).toContain('patient.create()');
    expect(log).toContain('`birthDate`');
    for (const text of [answer.text, log]) {
      for (const secret of ['王', 'Secretname', '13912345678', '1958-06-01']) expect(text).not.toContain(secret);
    }
    expect(await db.patient.count({ where: { givenName: 'Secretname' } })).toBe(0);
  });
});
