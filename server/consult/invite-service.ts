// Guests (a family member, an interpreter) invited into one consult. Like patient links, the token is
// random and stored only as its SHA-256; the guest also types their name and a short code, and an
// invite locks after repeated wrong answers. Removing the guest closes the invite for good.
import { createHash, randomInt } from 'node:crypto';
import { z } from 'zod';
import { db, type DbTx } from '@/server/db';
import { env } from '@/server/env';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { hashLinkToken, isWellFormedLinkToken, linkTokenSchema, newLinkToken } from '@/server/access-links/link-token';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { appointmentTopic, publishRoutingChange } from '@/server/routing/routing-events';
import { authorizeConsult } from './consult-access';
import { auditLimitRefusal, hourBefore, limitReached, lockClinicContacts, SMS_INVITE_LIMITS, type ContactLimits } from './contact-limits';
import { guestIdentity, roomOfVisit } from './consult-service';
import { may } from '@/server/shared/consult-policy';

/** An invitation is good for this long after it is made. */
export const INVITE_TTL_HOURS = 4;
export const INVITE_MAX_FAILED_ATTEMPTS = 5;

export const createInviteInput = z.object({
  appointmentId: z.string().min(1).max(64),
  role: z.enum(['FAMILY', 'INTERPRETER']),
  displayName: z.string().trim().min(1, 'Enter the guest’s name').max(60),
  phone: z
    .string()
    .trim()
    .regex(/^\+[1-9]\d{6,14}$/, 'Enter the number with its country code, e.g. +8613800000000')
    .optional(),
});

export const guestCredentialsSchema = z.object({
  token: linkTokenSchema,
  name: z.string().trim().min(1).max(60),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

export type InviteRefusal = 'malformed' | 'expired' | 'revoked' | 'locked' | 'ended';

export function newInviteCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Bound to the invite's token hash, so a code is only worth anything with its own link. */
export function hashInviteCode(tokenHash: string, code: string): string {
  return createHash('sha256').update(`${tokenHash}:${code}`).digest('hex');
}

/** Names compare as people type them: case, spacing and full-width forms do not matter. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}

export function inviteUrl(appUrl: string, token: string) {
  return `${appUrl.replace(/\/+$/, '')}/g/${token}`;
}

type InviteRow = NonNullable<Awaited<ReturnType<typeof findInvite>>>;

function findInvite(tokenHash: string) {
  return db.consultInvite.findUnique({ where: { tokenHash } });
}

async function refusalFor(invite: InviteRow | null, now: Date): Promise<InviteRefusal | null> {
  if (!invite) return 'malformed';
  if (invite.revokedAt) return 'revoked';
  if (invite.failedAttempts >= INVITE_MAX_FAILED_ATTEMPTS) return 'locked';
  if (invite.expiresAt <= now) return 'expired';
  const appointment = await db.appointment.findUnique({ where: { id: invite.appointmentId }, select: { status: true } });
  if (!appointment || CLOSED_VISIT_STATUSES.has(appointment.status)) return 'ended';
  return null;
}

export async function createInvite(
  principal: Principal,
  input: z.infer<typeof createInviteInput>,
  now = new Date(),
  limits: ContactLimits = SMS_INVITE_LIMITS,
) {
  const { appointment, partyRole } = await authorizeConsult(principal, input.appointmentId);
  if (!may(partyRole, 'invite')) throw forbidden('You may not invite guests to this consult', 'notAllowed');
  const token = newLinkToken();
  const tokenHash = hashLinkToken(token);
  const code = newInviteCode();
  const actor = `${principal.kind}:${principal.id}`;
  const invite = await db.$transaction(async (tx) => {
    if (input.phone) {
      // A text goes to a number typed in here: so many per consult and per clinic and hour, no more.
      await lockClinicContacts(tx, appointment.clinicId);
      const bySms = { phone: { not: null } } as const;
      const reached = limitReached(
        {
          consult: await tx.consultInvite.count({ where: { appointmentId: appointment.id, ...bySms } }),
          clinicLastHour: await tx.consultInvite.count({ where: { clinicId: appointment.clinicId, createdAt: { gt: hourBefore(now) }, ...bySms } }),
        },
        limits,
      );
      if (reached) {
        await auditLimitRefusal(tx, {
          actor,
          action: 'consult.guest-invite-refused',
          clinicId: appointment.clinicId,
          patientId: appointment.patient.id,
          appointmentId: appointment.id,
          reached,
        });
        return { reached };
      }
    }
    const created = await tx.consultInvite.create({
      data: {
        clinicId: appointment.clinicId,
        appointmentId: appointment.id,
        role: input.role,
        displayName: input.displayName,
        codeHash: hashInviteCode(tokenHash, code),
        tokenHash,
        phone: input.phone ?? null,
        invitedById: principal.id,
        expiresAt: new Date(now.getTime() + INVITE_TTL_HOURS * 3600_000),
        createdAt: now,
      },
    });
    if (input.phone) {
      // Sent by the outbox, which writes a fresh link and code into the text at send time.
      await tx.message.create({
        data: {
          clinicId: appointment.clinicId,
          patientId: appointment.patient.id,
          appointmentId: appointment.id,
          kind: 'CONSULT_INVITE',
          dedupeKey: `consult-invite:${created.id}`,
          to: input.phone,
        },
      });
    }
    await recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.guest-invited',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `ConsultInvite/${created.id}`,
      detail: { role: input.role, bySms: !!input.phone },
    });
    return created;
  });
  if ('reached' in invite) {
    throw conflict(
      invite.reached.limit === 'consult'
        ? `This consult has sent ${invite.reached.max} text invitations, the most it may`
        : `The clinic has sent ${invite.reached.max} text invitations in the last hour, the most it may`,
      'inviteLimit',
    );
  }
  // By text message the link and code travel only in the text; otherwise staff copy them from here.
  return input.phone
    ? { inviteId: invite.id, sentTo: input.phone, url: null, code: null, expiresAt: invite.expiresAt.toISOString() }
    : { inviteId: invite.id, sentTo: null, url: inviteUrl(env().APP_URL, token), code, expiresAt: invite.expiresAt.toISOString() };
}

/**
 * New credentials for the next text of an invite sent by text message (in the outbox's send transaction).
 * They replace those of any earlier text, so the outbox asks for them only when no earlier text can be out:
 * the first text, or after the provider refused the last one or was found not to have taken it. A closed
 * invite gets none.
 */
export async function reissueInviteCredentials(tx: DbTx, inviteId: string, now = new Date()) {
  const invite = await tx.consultInvite.findUniqueOrThrow({ where: { id: inviteId }, select: { revokedAt: true, expiresAt: true } });
  if (invite.revokedAt || invite.expiresAt <= now) return { open: false as const };
  const token = newLinkToken();
  const tokenHash = hashLinkToken(token);
  const code = newInviteCode();
  await tx.consultInvite.update({ where: { id: inviteId }, data: { tokenHash, codeHash: hashInviteCode(tokenHash, code) } });
  return { open: true as const, token, code };
}

/** What the guest sees before answering: which clinic and as whom they were invited. */
export async function previewInvite(token: string, now = new Date()) {
  if (!isWellFormedLinkToken(token)) return { ok: false as const, reason: 'malformed' as const };
  const invite = await findInvite(hashLinkToken(token));
  const refusal = await refusalFor(invite, now);
  if (refusal || !invite) return { ok: false as const, reason: refusal ?? ('malformed' as const) };
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: invite.clinicId }, select: { name: true } });
  return { ok: true as const, clinicName: clinic.name, role: invite.role, appointmentId: invite.appointmentId };
}

export type GuestCheck =
  | { ok: true; inviteId: string; appointmentId: string; clinicId: string; name: string; role: 'FAMILY' | 'INTERPRETER' }
  | { ok: false; reason: InviteRefusal }
  | { ok: false; reason: 'wrong'; attemptsLeft: number };

/** The guest's sign-in: link, name and code. Wrong answers are counted (and committed). */
export async function checkGuestInvite(input: { token: string; name: string; code: string }, now = new Date()): Promise<GuestCheck> {
  if (!isWellFormedLinkToken(input.token)) return { ok: false, reason: 'malformed' };
  const tokenHash = hashLinkToken(input.token);
  return db.$transaction(async (tx): Promise<GuestCheck> => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "ConsultInvite" WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
    if (locked.length === 0) return { ok: false, reason: 'malformed' };
    const invite = await tx.consultInvite.findUniqueOrThrow({ where: { tokenHash } });
    const refusal = await refusalFor(invite, now);
    if (refusal) return { ok: false, reason: refusal };
    if (!sameName(invite.displayName, input.name) || hashInviteCode(tokenHash, input.code.trim()) !== invite.codeHash) {
      const failedAttempts = invite.failedAttempts + 1;
      await tx.consultInvite.update({ where: { id: invite.id }, data: { failedAttempts } });
      await recordAudit(tx, {
        actor: 'anonymous',
        action: 'consult.guest-wrong-answer',
        clinicId: invite.clinicId,
        subject: `ConsultInvite/${invite.id}`,
        outcome: 'failure',
      });
      return failedAttempts >= INVITE_MAX_FAILED_ATTEMPTS
        ? { ok: false, reason: 'locked' }
        : { ok: false, reason: 'wrong', attemptsLeft: INVITE_MAX_FAILED_ATTEMPTS - failedAttempts };
    }
    await tx.consultInvite.update({ where: { id: invite.id }, data: { failedAttempts: 0, lastUsedAt: now } });
    await recordAudit(tx, { actor: `guest:${invite.id}`, action: 'consult.guest-signed-in', clinicId: invite.clinicId, subject: `ConsultInvite/${invite.id}` });
    return { ok: true, inviteId: invite.id, appointmentId: invite.appointmentId, clinicId: invite.clinicId, name: invite.displayName, role: invite.role };
  });
}

export async function listInvites(principal: Principal, appointmentId: string, now = new Date()) {
  const { partyRole } = await authorizeConsult(principal, appointmentId);
  if (!may(partyRole, 'invite')) throw forbidden('You may not see this consult’s invitations', 'notAllowed');
  const invites = await db.consultInvite.findMany({ where: { appointmentId }, orderBy: { createdAt: 'asc' } });
  return invites.map((i) => ({
    id: i.id,
    role: i.role,
    displayName: i.displayName,
    phone: i.phone,
    state: i.revokedAt ? ('revoked' as const) : i.expiresAt <= now ? ('expired' as const) : ('open' as const),
  }));
}

/** Withdraws an invitation; a guest already in the room is disconnected too. */
export async function revokeInvite(gateway: LivekitGateway, principal: Principal, inviteId: string, now = new Date()) {
  const invite = await db.consultInvite.findUnique({ where: { id: inviteId } });
  if (!invite) throw notFound('This invitation does not exist');
  const { partyRole } = await authorizeConsult(principal, invite.appointmentId);
  if (!may(partyRole, 'remove')) throw forbidden('You may not withdraw invitations', 'notAllowed');
  if (invite.revokedAt) throw conflict('This invitation is already withdrawn', 'alreadyRevoked');
  await db.$transaction(async (tx) => {
    await tx.consultInvite.update({ where: { id: invite.id }, data: { revokedAt: now } });
    await recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.guest-invite-revoked',
      clinicId: invite.clinicId,
      subject: `ConsultInvite/${invite.id}`,
    });
    // Wakes the consult's live views, so the guest's end now (they ask for the guest's access again).
    await publishRoutingChange(tx, invite.clinicId, [appointmentTopic(invite.appointmentId)]);
  });
  await gateway.removeParticipant(await roomOfVisit(invite.appointmentId), guestIdentity(invite.id));
  return { revoked: true };
}
