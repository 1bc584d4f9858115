import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createVisitScenario } from '@/server/testing/factories';
import { checkPatientLink, previewLink } from './access-link-service';
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

  it('counts concurrent wrong answers without losing any', async () => {
    const s = await createVisitScenario();
    await Promise.all(
      Array.from({ length: 8 }, () => checkPatientLink({ token: s.link.token, birthDate: '1970-01-01' }, options)),
    );
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
