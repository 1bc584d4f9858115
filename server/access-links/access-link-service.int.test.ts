import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { addVisit, createAppointment, createVisitLink, createVisitScenario } from '@/server/testing/factories';
import { patientCheck } from '@/server/shared/i18n/namespaces/patient-check';
import { checkPatientLink, PATIENT_FAILED_ATTEMPTS_PER_LINK_LIMIT, PATIENT_LOCK_HOURS, previewLink } from './access-link-service';
import { newLinkToken } from './link-token';

const options = { maxFailedAttempts: 5 };

describe('patient link check (real PostgreSQL)', () => {
  it('signs the patient in with the right date of birth and counts the use', async () => {
    const s = await createVisitScenario();
    const result = await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options);
    expect(result).toMatchObject({ ok: true, patientId: s.patient.id, appointmentId: s.appointment.id, clinicId: s.clinic.id });
    const link = await db.accessLink.findUniqueOrThrow({ where: { id: s.link.linkId } });
    expect(link.useCount).toBe(1);
    expect((await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } })).status).toBe('CHECKED_IN');
  });

  it('never stores the token itself', async () => {
    const s = await createVisitScenario();
    const link = await db.accessLink.findUniqueOrThrow({ where: { id: s.link.linkId } });
    expect(link.tokenHash).not.toContain(s.link.token);
    expect(link.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('counts wrong dates of birth and locks the link on the fifth', async () => {
    const s = await createVisitScenario();
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await checkPatientLink({ token: s.link.token, birthDate: '1970-01-01' }, options);
      expect(result).toEqual({ ok: false, reason: 'wrongBirthDate', attemptsLeft: 5 - attempt });
    }
    expect(await checkPatientLink({ token: s.link.token, birthDate: '1970-01-01' }, options)).toEqual({
      ok: false,
      reason: 'locked',
    });
    // Once locked, even the right answer is refused and nothing more is counted.
    expect(await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options)).toEqual({ ok: false, reason: 'locked' });
    const link = await db.accessLink.findUniqueOrThrow({ where: { id: s.link.linkId } });
    expect(link.failedAttempts).toBe(5);
    expect(link.lockedAt).not.toBeNull();
    expect(link.useCount).toBe(0);
    const audits = await db.auditEvent.count({ where: { subject: `AccessLink/${s.link.linkId}`, outcome: 'failure' } });
    expect(audits).toBe(5);
  });

  it('counts wrong dates of birth per patient across all their links: fresh links give no fresh guesses', async () => {
    const s = await createVisitScenario({ linkExpiresAt: new Date(Date.now() + 3 * 24 * 3600_000) });
    const later = { expiresAt: new Date(Date.now() + 3 * 24 * 3600_000) };
    // Each reminder brings a fresh link, for this visit and for the next one.
    const second = await createVisitLink(s.appointment.id, later);
    const nextVisit = await createAppointment({ clinicId: s.clinic.id, patientId: s.patient.id, clinicianId: s.doctor.id });
    const third = await createVisitLink(nextVisit.id, later);
    const wrong = (token: string, now?: Date) => checkPatientLink({ token, birthDate: '1970-01-01' }, { ...options, now });
    const perPatient = options.maxFailedAttempts * PATIENT_FAILED_ATTEMPTS_PER_LINK_LIMIT;

    for (let i = 0; i < 4; i++) await wrong(s.link.token);
    for (let i = 0; i < 4; i++) await wrong(second.token);
    // The patient's answers left, not the link's, once those are fewer.
    expect(await wrong(third.token)).toEqual({ ok: false, reason: 'wrongBirthDate', attemptsLeft: perPatient - 9 });
    expect(await wrong(third.token)).toEqual({ ok: false, reason: 'patientLocked' });

    // Every link of the patient refuses now, even with the right date, and a new link too.
    const fresh = await createVisitLink(s.appointment.id, later);
    for (const token of [s.link.token, second.token, third.token, fresh.token]) {
      expect(await checkPatientLink({ token, birthDate: s.birthDate }, options)).toEqual({ ok: false, reason: 'patientLocked' });
    }
    expect(await previewLink(fresh.token)).toEqual({ ok: false, reason: 'patientLocked' });
    expect(await db.auditEvent.count({ where: { patientId: s.patient.id, action: 'access-link.patient-locked' } })).toBe(1);

    // Another patient of the clinic is not affected.
    const neighbour = await addVisit(s.clinic.id, s.doctor.id);
    expect((await checkPatientLink({ token: neighbour.link.token, birthDate: neighbour.birthDate }, options)).ok).toBe(true);

    // After the pause the right date signs in again, and the count starts over.
    const afterPause = new Date(Date.now() + PATIENT_LOCK_HOURS * 3600_000 + 60_000);
    expect((await checkPatientLink({ token: fresh.token, birthDate: s.birthDate }, { ...options, now: afterPause })).ok).toBe(true);
    expect(await wrong(fresh.token, afterPause)).toEqual({ ok: false, reason: 'wrongBirthDate', attemptsLeft: options.maxFailedAttempts - 1 });
  });

  it('tells a locked-out patient how to get help, in both languages', () => {
    expect(patientCheck.en.patientLocked).toMatch(/call your clinic/i);
    expect(patientCheck['zh-CN'].patientLocked).toMatch(/致电诊所/);
    // The pause the message names is the one applied.
    expect(patientCheck.en.patientLocked).toContain(`${PATIENT_LOCK_HOURS} hours`);
    expect(patientCheck['zh-CN'].patientLocked).toContain(`${PATIENT_LOCK_HOURS} 小时`);
  });

  it('counts concurrent wrong answers without losing any', async () => {
    const s = await createVisitScenario();
    await Promise.all(Array.from({ length: 8 }, () => checkPatientLink({ token: s.link.token, birthDate: '1970-01-01' }, options)));
    const link = await db.accessLink.findUniqueOrThrow({ where: { id: s.link.linkId } });
    expect(link.failedAttempts).toBe(5);
    expect(link.lockedAt).not.toBeNull();
  });

  it('refuses an expired link, before and after the date of birth', async () => {
    const s = await createVisitScenario({ linkExpiresAt: new Date(Date.now() - 1000) });
    expect(await previewLink(s.link.token)).toEqual({ ok: false, reason: 'expired' });
    expect(await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a link used up to its limit', async () => {
    const s = await createVisitScenario({ maxUses: 1 });
    expect((await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options)).ok).toBe(true);
    expect(await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options)).toEqual({ ok: false, reason: 'used' });
  });

  it('refuses the link of a cancelled visit', async () => {
    const s = await createVisitScenario();
    await db.appointment.update({ where: { id: s.appointment.id }, data: { status: 'CANCELLED' } });
    expect(await checkPatientLink({ token: s.link.token, birthDate: s.birthDate }, options)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('treats malformed and unknown tokens alike, writing nothing', async () => {
    const before = await db.auditEvent.count();
    expect(await checkPatientLink({ token: 'abc', birthDate: '1958-06-01' }, options)).toEqual({ ok: false, reason: 'malformed' });
    expect(await checkPatientLink({ token: newLinkToken(), birthDate: '1958-06-01' }, options)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await previewLink("'; drop table--")).toEqual({ ok: false, reason: 'malformed' });
    expect(await db.auditEvent.count()).toBe(before);
  });
});
