// Sends what the outbox holds. Any number of processes may run this at once: a message is claimed
// with FOR UPDATE SKIP LOCKED and a lease, and every later write is fenced on that claim.
// docs/messages.md states what is promised and the one window that remains.
import { createHash } from 'node:crypto';
import { db, type DbTx } from '@/server/db';
import { env } from '@/server/env';
import { Prisma, type MessageKind, type MessageStatus } from '@/server/db/generated/client';
import { issueVisitLink } from '@/server/access-links/access-link-service';
import { inviteUrl, reissueInviteCredentials } from '@/server/consult/invite-service';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { startsAtOfKey } from './message-keys';
import { previewOf, renderMessage, visitLinkUrl, type MessageText } from './message-templates';
import { CLAIM_BATCH_SIZE, CLAIM_SECONDS, LINK_VALID_AFTER_END_HOURS, MAX_SEND_ATTEMPTS, VISIT_KINDS, type SkipReason } from './notify-config';
import { nextAttemptAt } from './retry-policy';
import { SmsSendError, type SmsProvider } from './sms-provider';
import { smsProviderFromEnv } from './sms-provider-from-env';
import { startPeriodic } from '@/server/workers/periodic';

export type SendSummary = {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  undeliverable: number;
  skipped: number;
  /** Claimed here, then taken over by another worker before this one could send it. */
  lost: number;
};
type Outcome = Exclude<keyof SendSummary, 'claimed'>;

export type SendOptions = {
  batchSize?: number;
  /** Only this clinic's messages (tests use it to stay clear of each other's data). */
  clinicId?: string;
  /** Public address of the app, for personal links and status callbacks (default APP_URL). */
  appUrl?: string;
};

type Claim = { id: string; attempts: number };

const isVisitKind = (kind: MessageKind): kind is (typeof VISIT_KINDS)[number] => (VISIT_KINDS as readonly MessageKind[]).includes(kind);
const plusSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Claims up to `batchSize` messages that are due (QUEUED with nextAttemptAt passed) or abandoned
 * (SENDING past lockedUntil: the process that claimed them died) and counts the attempt. Skipped locks
 * mean two workers never claim the same row; the new lockedUntil keeps it claimed after commit.
 */
async function claimDueMessages(now: Date, limit: number, clinicId: string | undefined): Promise<Claim[]> {
  const clinic = clinicId ? Prisma.sql`AND "clinicId" = ${clinicId}` : Prisma.empty;
  return db.$queryRaw<Claim[]>`
    UPDATE "Message" SET status = 'SENDING', "lockedUntil" = ${plusSeconds(now, CLAIM_SECONDS)}::timestamp, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM "Message"
      WHERE ((status = 'QUEUED' AND "nextAttemptAt" <= ${now}::timestamp)
          OR (status = 'SENDING' AND "lockedUntil" < ${now}::timestamp))
        ${clinic}
      ORDER BY "nextAttemptAt", id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, attempts`;
}

const messageForSending = {
  id: true,
  kind: true,
  to: true,
  dedupeKey: true,
  clinicId: true,
  patient: { select: { preferredLocale: true, smsOptedOutAt: true } },
  appointment: {
    select: { id: true, status: true, startsAt: true, durationMinutes: true, clinician: { select: { name: true } } },
  },
} satisfies Prisma.MessageSelect;
type MessageForSending = Prisma.MessageGetPayload<{ select: typeof messageForSending }>;

/** Why this message should not go out now, if it should not. */
function skipReason(message: MessageForSending, now: Date): SkipReason | null {
  if (message.kind !== 'OPT_OUT_CONFIRMATION' && message.patient.smsOptedOutAt) return 'opted-out';
  if (message.kind === 'OPT_OUT_CONFIRMATION') return null;
  const appointment = message.appointment;
  if (!appointment) return 'no-appointment';
  if (message.kind === 'CANCELLED') return null;
  if (appointment.status === 'CANCELLED') return 'appointment-cancelled';
  // Sent during the consult it continues: only a visit that has ended makes it late.
  if (message.kind === 'VIDEO_LINK') return appointment.status === 'IN_PROGRESS' || appointment.status === 'CHECKED_IN' ? null : 'too-late';
  if (appointment.status !== 'SCHEDULED' && appointment.status !== 'CHECKED_IN') return 'too-late';
  const queuedFor = startsAtOfKey(message.dedupeKey);
  if (queuedFor && queuedFor.getTime() !== appointment.startsAt.getTime()) return 'rescheduled';
  if (now.getTime() >= appointment.startsAt.getTime() + appointment.durationMinutes * 60_000) return 'too-late';
  return null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const fenceOf = (claim: Claim) => ({ id: claim.id, status: 'SENDING', attempts: claim.attempts }) satisfies Prisma.MessageWhereInput;
/** Written whenever an attempt's outcome becomes known: nothing of it is left to look up. */
const NOTHING_PENDING = { pendingTextSha256: null, pendingSince: null } as const;

type Pending = { to: string; textSha256: string; since: Date };

/**
 * Renews the claim (fenced on the attempt number: a worker that took the row over has counted another
 * attempt, so a stale worker's write matches nothing) and reads the earlier attempt whose outcome is
 * unknown, if there is one: that text may have gone out.
 */
async function renewClaim(claim: Claim, clock: () => Date): Promise<{ lost: true } | { lost: false; pending: Pending | null }> {
  return db.$transaction(async (tx) => {
    const renewed = await tx.message.updateMany({ where: fenceOf(claim), data: { lockedUntil: plusSeconds(clock(), CLAIM_SECONDS) } });
    if (renewed.count !== 1) return { lost: true as const };
    const row = await tx.message.findUniqueOrThrow({ where: { id: claim.id }, select: { to: true, pendingTextSha256: true, pendingSince: true } });
    const pending = row.pendingTextSha256 && row.pendingSince ? { to: row.to, textSha256: row.pendingTextSha256, since: row.pendingSince } : null;
    return { lost: false as const, pending };
  });
}

type Prepared = { action: 'send'; to: string; body: string; linkId: string | null } | { action: 'done'; outcome: Outcome };

/**
 * Decides whether the message still applies and writes its text: for a visit message with a fresh personal
 * link, for an invitation with fresh credentials, so a token exists only in the text that goes out. Before
 * the provider is called this commits the text's hash (`pendingTextSha256`) and its preview: should the
 * answer never come, the next attempt asks the provider for this text instead of writing a new one.
 * Only called when no earlier text of this message can be out.
 */
async function prepare(claim: Claim, clock: () => Date, appUrl: string): Promise<Prepared> {
  return db.$transaction(async (tx) => {
    const renewed = await tx.message.updateMany({ where: fenceOf(claim), data: { lockedUntil: plusSeconds(clock(), CLAIM_SECONDS) } });
    if (renewed.count !== 1) return { action: 'done', outcome: 'lost' };
    const message = await tx.message.findUniqueOrThrow({ where: { id: claim.id }, select: messageForSending });
    const now = clock();
    const finish = async (data: Prisma.MessageUpdateInput, outcome: Outcome): Promise<Prepared> => {
      // Nothing goes out: no text (and no earlier one, looked up before this) for staff to see.
      await tx.message.update({ where: { id: claim.id }, data: { ...data, ...NOTHING_PENDING, bodyPreview: null, lockedUntil: null } });
      return { action: 'done', outcome };
    };

    // Only reachable when the processes sending it kept dying mid-send: stop, rather than risk more copies.
    if (claim.attempts > MAX_SEND_ATTEMPTS) return finish({ status: 'FAILED', lastError: `Gave up after ${MAX_SEND_ATTEMPTS} attempts cut short` }, 'failed');

    let written: { body: string; token: string | null; linkId: string | null };
    if (message.kind === 'CONSULT_INVITE') {
      const invite = await writeInvite(tx, message, appUrl, now);
      if (!invite) return finish({ status: 'SKIPPED', lastError: 'invite-closed' satisfies SkipReason }, 'skipped');
      written = invite;
    } else {
      const reason = skipReason(message, now);
      if (reason) return finish({ status: 'SKIPPED', lastError: reason }, 'skipped');
      written = await writeVisitText(tx, message, appUrl);
    }
    await tx.message.update({
      where: { id: claim.id },
      data: { pendingTextSha256: sha256(written.body), pendingSince: now, bodyPreview: previewOf(written.body, written.token) },
    });
    return { action: 'send', to: message.to, body: written.body, linkId: written.linkId };
  });
}

/** The text of a visit message (a fresh personal link in it), a cancellation notice or an opt-out confirmation. */
async function writeVisitText(tx: DbTx, message: MessageForSending, appUrl: string) {
  const clinic = await tx.clinic.findUniqueOrThrow({ where: { id: message.clinicId }, select: { name: true, timeZone: true } });
  const common = { locale: message.patient.preferredLocale, clinicName: clinic.name, timeZone: clinic.timeZone };
  const appointment = message.appointment;
  let text: MessageText;
  let link: { token: string; linkId: string } | null = null;
  if (isVisitKind(message.kind) && appointment) {
    const end = appointment.startsAt.getTime() + appointment.durationMinutes * 60_000;
    link = await issueVisitLink(tx, {
      appointmentId: appointment.id,
      expiresAt: new Date(end + LINK_VALID_AFTER_END_HOURS * 3600_000),
    });
    text = {
      ...common,
      kind: message.kind,
      clinicianName: appointment.clinician.name,
      startsAt: appointment.startsAt,
      link: visitLinkUrl(appUrl, link.token),
    };
  } else if (message.kind === 'CANCELLED' && appointment) {
    text = { ...common, kind: 'CANCELLED', clinicianName: appointment.clinician.name, startsAt: appointment.startsAt };
  } else {
    text = { ...common, kind: 'OPT_OUT_CONFIRMATION' };
  }
  return { body: renderMessage(text), token: link?.token ?? null, linkId: link?.linkId ?? null };
}

/**
 * A guest's invitation (to the guest's number, not the patient's, so the patient's opt-out does not
 * apply): fresh link and code written into the text now, so they exist only in what goes out. Null when
 * the invitation or the consult is closed.
 */
async function writeInvite(tx: DbTx, message: MessageForSending, appUrl: string, now: Date) {
  const appointment = message.appointment;
  if (!appointment || CLOSED_VISIT_STATUSES.has(appointment.status)) return null;
  const credentials = await reissueInviteCredentials(tx, message.dedupeKey.slice('consult-invite:'.length), now);
  if (!credentials.open) return null;
  const clinic = await tx.clinic.findUniqueOrThrow({ where: { id: message.clinicId }, select: { name: true, timeZone: true } });
  const body = renderMessage({
    kind: 'CONSULT_INVITE',
    locale: message.patient.preferredLocale,
    clinicName: clinic.name,
    timeZone: clinic.timeZone,
    clinicianName: appointment.clinician.name,
    startsAt: appointment.startsAt,
    link: inviteUrl(appUrl, credentials.token),
    code: credentials.code,
  });
  return { body, token: credentials.token, linkId: null };
}

/** A write after the provider call is retried a few times: losing it would mean sending the message again. */
async function persistently<T>(write: () => Promise<T>): Promise<T> {
  for (const delayMs of [200, 1000, 3000]) {
    try {
      return await write();
    } catch {
      await sleep(delayMs);
    }
  }
  return write();
}

async function recordSent(claim: Claim, provider: SmsProvider, providerMessageId: string, at: Date) {
  const fields = { provider: provider.name, providerMessageId, sentAt: at, ...NOTHING_PENDING };
  const done = await persistently(() =>
    db.message.updateMany({ where: fenceOf(claim), data: { ...fields, status: 'SENT', lockedUntil: null, lastError: null } }),
  );
  if (done.count === 1) return 'sent' as const;
  // The provider's status callback may have arrived first and moved the row on (it carries our id).
  const late = await persistently(() => db.message.updateMany({ where: { id: claim.id, providerMessageId }, data: { ...fields, lockedUntil: null } }));
  if (late.count === 0) {
    console.error(`[sms] message ${claim.id} was sent after its claim was taken over; it may go out twice`);
  }
  return 'sent' as const;
}

/** The provider said it did not take the message: nobody holds the text, so its link is closed. */
async function recordRefused(claim: Claim, to: string, linkId: string | null, error: SmsSendError, at: Date): Promise<Outcome> {
  const lastError = error.message.slice(0, 500);
  let status: MessageStatus;
  let outcome: Outcome;
  let next: Date | undefined;
  if (!error.retryable) [status, outcome] = ['UNDELIVERABLE', 'undeliverable'];
  else if (claim.attempts >= MAX_SEND_ATTEMPTS) [status, outcome] = ['FAILED', 'failed'];
  else [status, outcome, next] = ['QUEUED', 'retrying', nextAttemptAt(at, claim.attempts)];

  await persistently(() =>
    db.$transaction(async (tx) => {
      const updated = await tx.message.updateMany({
        where: fenceOf(claim),
        data: { status, lastError, lockedUntil: null, bodyPreview: null, ...NOTHING_PENDING, ...(next ? { nextAttemptAt: next } : {}) },
      });
      if (linkId && updated.count === 1) await tx.accessLink.update({ where: { id: linkId }, data: { revokedAt: at } });
      // Twilio 21610: the recipient texted STOP to the provider directly; our records follow.
      if (error.providerCode === '21610') {
        await tx.patient.updateMany({ where: { phone: to, smsOptedOutAt: null }, data: { smsOptedOutAt: at } });
      }
    }),
  );
  return outcome;
}

/**
 * No clear answer (a timeout, a connection lost, a 5xx), or the provider could not be asked about such an
 * attempt: the text may have gone out. Its link stays valid, its hash stays pending, and the next attempt
 * asks the provider for it before writing anything new. A delivery report arriving meanwhile settles it.
 */
async function recordUnknown(claim: Claim, lastError: string, at: Date): Promise<Outcome> {
  const exhausted = claim.attempts >= MAX_SEND_ATTEMPTS;
  await persistently(() =>
    db.message.updateMany({
      where: fenceOf(claim),
      data: exhausted
        ? { status: 'FAILED', lastError: lastError.slice(0, 500), lockedUntil: null }
        : { status: 'QUEUED', lastError: lastError.slice(0, 500), lockedUntil: null, nextAttemptAt: nextAttemptAt(at, claim.attempts) },
    }),
  );
  return exhausted ? 'failed' : 'retrying';
}

const asSendError = (error: unknown) =>
  error instanceof SmsSendError ? error : new SmsSendError(`Unexpected error: ${(error as Error).message}`, { retryable: true, outcomeUnknown: true });

async function sendOne(provider: SmsProvider, claim: Claim, clock: () => Date, appUrl: string): Promise<Outcome> {
  const claimed = await renewClaim(claim, clock);
  if (claimed.lost) return 'lost';
  if (claimed.pending) {
    // An earlier attempt may have gone out: never write a second text (with a second link) before knowing.
    let found: { providerMessageId: string } | null;
    try {
      found = await provider.findSent(claimed.pending);
    } catch (error) {
      return recordUnknown(claim, `Could not ask the provider whether the last attempt went out: ${asSendError(error).message}`, clock());
    }
    if (found) return recordSent(claim, provider, found.providerMessageId, clock());
  }

  const prepared = await prepare(claim, clock, appUrl);
  if (prepared.action === 'done') return prepared.outcome;
  const statusCallbackUrl = provider.name === 'dev' ? undefined : `${appUrl.replace(/\/+$/, '')}/api/sms/status?m=${claim.id}`;
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await provider.send({ to: prepared.to, body: prepared.body, statusCallbackUrl }));
  } catch (error) {
    const failure = asSendError(error);
    if (failure.outcomeUnknown)
      return recordUnknown(claim, `${failure.message}; it may have gone out, so the provider is asked before it is sent again`, clock());
    return recordRefused(claim, prepared.to, prepared.linkId, failure, clock());
  }
  return recordSent(claim, provider, providerMessageId, clock());
}

/** One round: claims the due messages and sends them one after the other. `now` drives all timing (tests move it). */
export async function sendDueMessages(provider: SmsProvider, now = new Date(), options: SendOptions = {}): Promise<SendSummary> {
  const startedAt = Date.now();
  const clock = () => new Date(now.getTime() + (Date.now() - startedAt));
  const appUrl = options.appUrl ?? env().APP_URL;
  const claims = await claimDueMessages(clock(), options.batchSize ?? CLAIM_BATCH_SIZE, options.clinicId);
  const summary: SendSummary = { claimed: claims.length, sent: 0, retrying: 0, failed: 0, undeliverable: 0, skipped: 0, lost: 0 };
  for (const claim of claims) {
    try {
      summary[await sendOne(provider, claim, clock, appUrl)] += 1;
    } catch (error) {
      // The row stays SENDING and is claimed again when its lease ends.
      console.error(`[sms] message ${claim.id} could not be processed:`, (error as Error).message);
    }
  }
  return summary;
}

/** Sends due messages every `intervalMs` in this process; returns a stop function. */
export function startOutboxWorker(intervalMs: number, provider: SmsProvider = smsProviderFromEnv(env())): () => void {
  return startPeriodic('sms', intervalMs, async () => {
    // A full batch means more are due: keep going, a few rounds at most per tick.
    for (let round = 0; round < 5; round++) {
      const summary = await sendDueMessages(provider);
      if (summary.claimed < CLAIM_BATCH_SIZE) break;
    }
  });
}
