import { afterAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { livekit } from '@/server/livekit';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { acceptTelehealthConsent, telehealthConsentFor } from '@/server/visit/consent-service';
import { closeAgentJobs } from './job-queue';
import { requestPublishing, startPatientCall } from './patient-call';

afterAll(async () => {
  await closeAgentJobs();
});

async function consentedPatient(options: Parameters<typeof createVisitScenario>[0] = {}) {
  const scenario = await createVisitScenario(options);
  const patient = patientPrincipal(scenario);
  const consent = await telehealthConsentFor(patient, 'zh-CN');
  await acceptTelehealthConsent(patient, { locale: 'zh-CN', text: consent.text });
  return { scenario, patient };
}

const jobsFor = (sessionId: string) => db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = ${`room-agent:${sessionId}`}`;

describe('the patient call', () => {
  it('is refused before the telehealth consent', async () => {
    const scenario = await createVisitScenario();
    await expect(startPatientCall(livekit(), patientPrincipal(scenario), { audioOnly: false, locale: 'en' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'consentRequired',
    });
    expect(await db.callSession.count({ where: { appointmentId: scenario.appointment.id } })).toBe(0);
  });

  it('opens in the menu, asks for one agent, and a reload finds the same session', async () => {
    const { scenario, patient } = await consentedPatient();
    const first = await startPatientCall(livekit(), patient, { audioOnly: false, locale: 'zh-CN' });
    const again = await startPatientCall(livekit(), patient, { audioOnly: true, locale: 'zh-CN' });
    expect([first.stage, again.stage]).toEqual(['MENU', 'MENU']);
    const sessions = await db.callSession.findMany({ where: { appointmentId: scenario.appointment.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ stage: 'MENU', audioOnly: true, locale: 'zh_CN' });
    expect(Number((await jobsFor(sessions[0]!.id))[0]!.n)).toBe(1);
    // Subscribe only until a clinician has the visit.
    await expect(requestPublishing(livekit(), patient)).rejects.toMatchObject({ code: 'FORBIDDEN', reason: 'notYourTurn' });
  });

  it('opens in the wait when the visit is already in line, and goes straight there when the queue skips the menu', async () => {
    const waiting = await consentedPatient();
    await enqueueForAppointment(waiting.patient);
    expect((await startPatientCall(livekit(), waiting.patient, { audioOnly: false, locale: 'en' })).stage).toBe('WAITING');

    const direct = await consentedPatient({ queue: { skipIvr: true } });
    expect((await startPatientCall(livekit(), direct.patient, { audioOnly: false, locale: 'en' })).stage).toBe('WAITING');
    expect(await db.task.count({ where: { appointmentId: direct.scenario.appointment.id, state: 'WAITING' } })).toBe(1);
  });
});
