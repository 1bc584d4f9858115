// Sends what the outbox holds. Any number of processes may run this at once: a message is claimed
// with FOR UPDATE SKIP LOCKED and a lease, and every later write is fenced on that claim.
// docs/messages.md states what is promised and the one window that remains.
import { db, type DbTx } from '@/server/db';
import { env } from '@/server/env';
import { Prisma, type MessageKind, type MessageStatus } from '@/server/db/generated/client';
import { issueVisitLink } from '@/server/access-links/access-link-service';
import { inviteUrl, reissueInviteCredentials } from '@/server/consult/invite-service';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { startsAtOfKey } from './message-keys';
import { previewOf, renderMessage, visitLinkUrl, type MessageText } from './message-templates';
import {
  CLAIM_BATCH_SIZE,
  CLAIM_SECONDS,
  LINK_VALID_AFTER_END_HOURS,
  MAX_SEND_ATTEMPTS,
  VISIT_KINDS,
  type SkipReason,
} from './notify-config';
import { nextAttemptAt } from './retry-policy';
import { SmsSendError, type SmsProvider } from './sms-provider';
import { smsProviderFromEnv } from './sms-provider-from-env';

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
  if (appointment.status !== 'SCHEDULED' && appointment.status !== 'CHECKED_IN') return 'too-late';
  const queuedFor = startsAtOfKey(message.dedupeKey);
  if (queuedFor && queuedFor.getTime() !== appointment.startsAt.getTime()) return 'rescheduled';
  if (now.getTime() >= appointment.startsAt.getTime() + appointment.durationMinutes * 60_000) return 'too-late';
  return null;
}

type Prepared =
  | { action: 'send'; to: string; body: string; token: string | null; linkId: string | null }
  | { action: 'done'; outcome: Outcome };

/**
 * Renews the claim (fenced on the attempt number: a worker that took the row over has counted another
 * attempt), decides whether the message still applies and, for a visit message, issues a fresh personal
 * link, so the token exists only in the text that goes out. Committed before the provider is called.
 */
async function prepare(claim: Claim, clock: () => Date, appUrl: string): Promise<Prepared> {
  return db.$transaction(async (tx) => {
    const fence = { id: claim.id, status: 'SENDING', attempts: claim.attempts } satisfies Prisma.MessageWhereInput;
    const renewed = await tx.message.updateMany({ where: fence, data: { lockedUntil: plusSeconds(clock(), CLAIM_SECONDS) } });
    if (renewed.count !== 1) return { action: 'done', outcome: 'lost' };
    const message = await tx.message.findUniqueOrThrow({ where: { id: claim.id }, select: messageForSending });
    const now = clock();

    if (claim.attempts > MAX_SEND_ATTEMPTS) {
      // Only reachable when the processes sending it kept dying mid-send: stop, rather than risk more copies.
      await tx.message.update({
        where: { id: claim.id },
        data: { status: 'FAILED', lockedUntil: null, lastError: `Gave up after ${MAX_SEND_ATTEMPTS} attempts cut short` },
      });
      return { action: 'done', outcome: 'failed' };
    }
    if (message.kind === 'CONSULT_INVITE') return prepareInvite(tx, message, appUrl);
    const reason = skipReason(message, now);
    if (reason) {
      await tx.message.update({ where: { id: claim.id }, data: { status: 'SKIPPED', lastError: reason, lockedUntil: null } });
      return { action: 'done', outcome: 'skipped' };
    }

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
    return { action: 'send', to: message.to, body: renderMessage(text), token: link?.token ?? null, linkId: link?.linkId ?? null };
  });
}

/**
 * A guest's invitation (to the guest's number, not the patient's, so the patient's opt-out does not
 * apply): fresh link and code written into the text now, so they exist only in what goes out.
 */
async function prepareInvite(tx: DbTx, message: MessageForSending, appUrl: string): Promise<Prepared> {
  const appointment = message.appointment;
  const credentials = await reissueInviteCredentials(tx, message.dedupeKey.slice('consult-invite:'.length));
  if (!appointment || !credentials.open || CLOSED_VISIT_STATUSES.has(appointment.status)) {
    await tx.message.update({ where: { id: message.id }, data: { status: 'SKIPPED', lastError: 'invite-closed' satisfies SkipReason, lockedUntil: null } });
    return { action: 'done', outcome: 'skipped' };
  }
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
  return { action: 'send', to: message.to, body, token: credentials.token, linkId: null };
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

async function recordSent(claim: Claim, provider: SmsProvider, sent: { providerMessageId: string; body: string; token: string | null }, at: Date) {
  const fields = { provider: provider.name, providerMessageId: sent.providerMessageId, sentAt: at, bodyPreview: previewOf(sent.body, sent.token) };
  const done = await persistently(() =>
    db.message.updateMany({
      where: { id: claim.id, status: 'SENDING', attempts: claim.attempts },
      data: { ...fields, status: 'SENT', lockedUntil: null, lastError: null },
    }),
  );
  if (done.count === 1) return 'sent' as const;
  // The provider's status callback may have arrived first and moved the row on (it carries our id).
  const late = await persistently(() =>
    db.message.updateMany({ where: { id: claim.id, providerMessageId: sent.providerMessageId }, data: { ...fields, lockedUntil: null } }),
  );
  if (late.count === 0) {
    console.error(`[sms] message ${claim.id} was sent after its claim was taken over; it may go out twice`);
  }
  return 'sent' as const;
}

async function recordFailure(claim: Claim, to: string, linkId: string | null, error: SmsSendError, at: Date): Promise<Outcome> {
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
        where: { id: claim.id, status: 'SENDING', attempts: claim.attempts },
        data: { status, lastError, lockedUntil: null, ...(next ? { nextAttemptAt: next } : {}) },
      });
      // The link went out in no text: nobody holds it, so it is closed.
      if (linkId && updated.count === 1) await tx.accessLink.update({ where: { id: linkId }, data: { revokedAt: at } });
      // Twilio 21610: the recipient texted STOP to the provider directly; our records follow.
      if (error.providerCode === '21610') {
        await tx.patient.updateMany({ where: { phone: to, smsOptedOutAt: null }, data: { smsOptedOutAt: at } });
      }
    }),
  );
  return outcome;
}

async function sendOne(provider: SmsProvider, claim: Claim, clock: () => Date, appUrl: string): Promise<Outcome> {
  const prepared = await prepare(claim, clock, appUrl);
  if (prepared.action === 'done') return prepared.outcome;
  const statusCallbackUrl = provider.name === 'dev' ? undefined : `${appUrl.replace(/\/+$/, '')}/api/sms/status?m=${claim.id}`;
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await provider.send({ to: prepared.to, body: prepared.body, statusCallbackUrl }));
  } catch (error) {
    const failure = error instanceof SmsSendError ? error : new SmsSendError(`Unexpected error: ${(error as Error).message}`, true);
    return recordFailure(claim, prepared.to, prepared.linkId, failure, clock());
  }
  return recordSent(claim, provider, { providerMessageId, body: prepared.body, token: prepared.token }, clock());
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
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      // A full batch means more are due: keep going, a few rounds at most per tick.
      for (let round = 0; round < 5; round++) {
        const summary = await sendDueMessages(provider);
        if (summary.claimed < CLAIM_BATCH_SIZE) break;
      }
    } catch (error) {
      console.error('[sms] outbox round failed:', (error as Error).message);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
