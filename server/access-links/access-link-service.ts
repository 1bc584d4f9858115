import { db, type DbTx } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { findLinkByTokenHash, lockLinkRow, type LinkForCheck } from './access-link-repository';
import { hashLinkToken, isWellFormedLinkToken, newLinkToken } from './link-token';

export type LinkRefusal = 'malformed' | 'expired' | 'locked' | 'used' | 'revoked';

export type LinkCheck =
  | { ok: true; patientId: string; appointmentId: string; clinicId: string; patientName: string }
  | { ok: false; reason: LinkRefusal }
  | { ok: false; reason: 'wrongBirthDate'; attemptsLeft: number };

export type LinkPreview =
  | { ok: true; clinicName: string; clinicianName: string; startsAt: Date; timeZone: string }
  | { ok: false; reason: LinkRefusal };

function refusalFor(link: LinkForCheck | null, now: Date): LinkRefusal | null {
  if (!link) return 'malformed';
  if (link.revokedAt || CLOSED_VISIT_STATUSES.has(link.appointment.status)) return 'revoked';
  if (link.lockedAt) return 'locked';
  if (link.expiresAt <= now) return 'expired';
  if (link.useCount >= link.maxUses) return 'used';
  return null;
}

/** What a patient may see before proving who they are: the clinic, the clinician and the time. */
export async function previewLink(token: string, now = new Date()): Promise<LinkPreview> {
  if (!isWellFormedLinkToken(token)) return { ok: false, reason: 'malformed' };
  const link = await findLinkByTokenHash(db, hashLinkToken(token));
  const refusal = refusalFor(link, now);
  if (refusal || !link) return { ok: false, reason: refusal ?? 'malformed' };
  return {
    ok: true,
    clinicName: link.appointment.clinic.name,
    clinicianName: link.appointment.clinician.name,
    startsAt: link.appointment.startsAt,
    timeZone: link.appointment.clinic.timeZone,
  };
}

function sameCalendarDate(stored: Date, typed: string): boolean {
  return stored.toISOString().slice(0, 10) === typed;
}

/**
 * The patient's sign-in: the link plus the date of birth. Wrong answers are counted even though the
 * check fails, so the transaction commits and the refusal is returned rather than thrown.
 */
export async function checkPatientLink(
  input: { token: string; birthDate: string },
  options: { maxFailedAttempts: number; now?: Date },
): Promise<LinkCheck> {
  const now = options.now ?? new Date();
  if (!isWellFormedLinkToken(input.token)) return { ok: false, reason: 'malformed' };
  const tokenHash = hashLinkToken(input.token);

  const result = await db.$transaction(async (tx): Promise<LinkCheck & { linkId?: string }> => {
    const found = await findLinkByTokenHash(tx, tokenHash);
    if (!found) return { ok: false, reason: 'malformed' };
    await lockLinkRow(tx, found.id);
    const link = await findLinkByTokenHash(tx, tokenHash);
    const refusal = refusalFor(link, now);
    if (refusal || !link) return { ok: false, reason: refusal ?? 'malformed', linkId: found.id };

    const patient = link.appointment.patient;
    if (!sameCalendarDate(patient.birthDate, input.birthDate)) {
      const failedAttempts = link.failedAttempts + 1;
      const locks = failedAttempts >= options.maxFailedAttempts;
      await tx.accessLink.update({
        where: { id: link.id },
        data: { failedAttempts, lockedAt: locks ? now : null },
      });
      await recordAudit(tx, {
        actor: 'anonymous',
        action: locks ? 'access-link.locked' : 'access-link.wrong-birth-date',
        clinicId: link.appointment.clinicId,
        patientId: patient.id,
        subject: `AccessLink/${link.id}`,
        outcome: 'failure',
      });
      return locks
        ? { ok: false, reason: 'locked', linkId: link.id }
        : { ok: false, reason: 'wrongBirthDate', attemptsLeft: options.maxFailedAttempts - failedAttempts, linkId: link.id };
    }

    await tx.accessLink.update({
      where: { id: link.id },
      data: { useCount: { increment: 1 }, failedAttempts: 0, lastUsedAt: now },
    });
    if (link.appointment.status === 'SCHEDULED') {
      await tx.appointment.update({ where: { id: link.appointment.id }, data: { status: 'CHECKED_IN' } });
    }
    await recordAudit(tx, {
      actor: `patient:${patient.id}`,
      action: 'access-link.signed-in',
      clinicId: link.appointment.clinicId,
      patientId: patient.id,
      subject: `AccessLink/${link.id}`,
    });
    return {
      ok: true,
      patientId: patient.id,
      appointmentId: link.appointment.id,
      clinicId: link.appointment.clinicId,
      patientName: `${patient.familyName}${patient.givenName}`,
      linkId: link.id,
    };
  });

  const { linkId: _linkId, ...check } = result;
  return check;
}

export async function issueVisitLink(
  tx: DbTx,
  input: { appointmentId: string; expiresAt: Date; maxUses?: number; token?: string },
): Promise<{ token: string; linkId: string }> {
  const token = input.token ?? newLinkToken();
  const link = await tx.accessLink.upsert({
    where: { tokenHash: hashLinkToken(token) },
    create: {
      tokenHash: hashLinkToken(token),
      purpose: 'VISIT_JOIN',
      appointmentId: input.appointmentId,
      expiresAt: input.expiresAt,
      maxUses: input.maxUses ?? 20,
    },
    update: { expiresAt: input.expiresAt },
    select: { id: true },
  });
  return { token, linkId: link.id };
}
