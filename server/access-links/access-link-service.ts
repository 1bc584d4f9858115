import { db, type DbTx } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { findLinkByTokenHash, lockLinkRow, lockPatientRow, type LinkForCheck } from './access-link-repository';
import { hashLinkToken, isWellFormedLinkToken, newLinkToken } from './link-token';

/** `patientLocked`: too many wrong dates of birth across the patient's links; every link waits out the pause. */
export type LinkRefusal = 'malformed' | 'expired' | 'locked' | 'used' | 'revoked' | 'patientLocked';

/**
 * Each reminder brings a fresh link, so wrong dates of birth are counted per patient too: across all their
 * links, this many times a link's limit (a link locked by typos can still be replaced by the clinic once).
 */
export const PATIENT_FAILED_ATTEMPTS_PER_LINK_LIMIT = 2;
/** How long none of a patient's links signs in after the patient's limit is reached. */
export const PATIENT_LOCK_HOURS = 24;

export type LinkCheck =
  | { ok: true; patientId: string; appointmentId: string; clinicId: string; patientName: string }
  | { ok: false; reason: LinkRefusal }
  | { ok: false; reason: 'wrongBirthDate'; attemptsLeft: number };

export type LinkPreview = { ok: true; clinicName: string; clinicianName: string; startsAt: Date; timeZone: string } | { ok: false; reason: LinkRefusal };

function refusalFor(link: LinkForCheck | null, now: Date): LinkRefusal | null {
  if (!link) return 'malformed';
  if (link.revokedAt || CLOSED_VISIT_STATUSES.has(link.appointment.status)) return 'revoked';
  if (link.appointment.patient.linkLockedUntil && link.appointment.patient.linkLockedUntil > now) return 'patientLocked';
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
 * check fails, so the transaction commits and the refusal is returned rather than thrown. They count on
 * the link (it locks) and on the patient, across all their links (every link pauses for PATIENT_LOCK_HOURS).
 */
export async function checkPatientLink(input: { token: string; birthDate: string }, options: { maxFailedAttempts: number; now?: Date }): Promise<LinkCheck> {
  const now = options.now ?? new Date();
  if (!isWellFormedLinkToken(input.token)) return { ok: false, reason: 'malformed' };
  const tokenHash = hashLinkToken(input.token);

  const result = await db.$transaction(async (tx): Promise<LinkCheck & { linkId?: string }> => {
    const found = await findLinkByTokenHash(tx, tokenHash);
    if (!found) return { ok: false, reason: 'malformed' };
    await lockLinkRow(tx, found.id);
    await lockPatientRow(tx, found.appointment.patient.id);
    const link = await findLinkByTokenHash(tx, tokenHash);
    const refusal = refusalFor(link, now);
    if (refusal || !link) return { ok: false, reason: refusal ?? 'malformed', linkId: found.id };

    const patient = link.appointment.patient;
    if (!sameCalendarDate(patient.birthDate, input.birthDate)) {
      const failedAttempts = link.failedAttempts + 1;
      const locks = failedAttempts >= options.maxFailedAttempts;
      const perPatient = options.maxFailedAttempts * PATIENT_FAILED_ATTEMPTS_PER_LINK_LIMIT;
      // A pause that has run out starts the patient's count again.
      const patientFailed = (patient.linkLockedUntil ? 0 : patient.linkFailedAttempts) + 1;
      const locksPatient = patientFailed >= perPatient;
      await tx.accessLink.update({
        where: { id: link.id },
        data: { failedAttempts, lockedAt: locks ? now : null },
      });
      await tx.patient.update({
        where: { id: patient.id },
        data: locksPatient
          ? { linkFailedAttempts: 0, linkLockedUntil: new Date(now.getTime() + PATIENT_LOCK_HOURS * 3600_000) }
          : { linkFailedAttempts: patientFailed, linkLockedUntil: null },
      });
      await recordAudit(tx, {
        actor: 'anonymous',
        action: locksPatient ? 'access-link.patient-locked' : locks ? 'access-link.locked' : 'access-link.wrong-birth-date',
        clinicId: link.appointment.clinicId,
        patientId: patient.id,
        subject: `AccessLink/${link.id}`,
        outcome: 'failure',
      });
      if (locksPatient) return { ok: false, reason: 'patientLocked', linkId: link.id };
      if (locks) return { ok: false, reason: 'locked', linkId: link.id };
      const attemptsLeft = Math.min(options.maxFailedAttempts - failedAttempts, perPatient - patientFailed);
      return { ok: false, reason: 'wrongBirthDate', attemptsLeft, linkId: link.id };
    }

    await tx.accessLink.update({
      where: { id: link.id },
      data: { useCount: { increment: 1 }, failedAttempts: 0, lastUsedAt: now },
    });
    await tx.patient.update({ where: { id: patient.id }, data: { linkFailedAttempts: 0, linkLockedUntil: null } });
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
