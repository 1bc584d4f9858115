// What the SMS provider tells us: replies from patients (STOP / START) and delivery reports.
import { z } from 'zod';
import { db } from '@/server/db';
import type { MessageStatus, Prisma } from '@/server/db/generated/client';
import { recordAudit } from '@/server/audit/audit-service';
import { queueMessage } from './outbox';
import { inboundKeyword } from './sms-keywords';

export const inboundSmsSchema = z.object({
  From: z
    .string()
    .trim()
    .regex(/^\+?[0-9]{5,20}$/, 'From must be a phone number'),
  Body: z.string().max(1600).default(''),
  MessageSid: z.string().max(64).optional(),
});

export const statusCallbackSchema = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.string().min(1).max(32),
  ErrorCode: z.string().max(16).optional(),
});

export type InboundResult = { action: 'opted-out' | 'opted-in' | 'ignored' | 'already-handled'; patients: number };

/**
 * A text from a patient. STOP (and its synonyms) opts out every patient record with that number (one
 * number may be registered at several clinics; they share our sender) and queues one confirmation;
 * START opts them in again. Already opted out: nothing changes and no second confirmation is sent.
 * Each text is handled once by its MessageSid: the provider delivering an old STOP again (a webhook
 * retry) after the patient sent START does not opt them out again.
 */
export async function receiveInboundSms(input: { from: string; body: string; messageSid?: string }, now = new Date()): Promise<InboundResult> {
  const keyword = inboundKeyword(input.body);
  if (!keyword) return { action: 'ignored', patients: 0 };
  return db.$transaction(async (tx) => {
    if (input.messageSid) {
      // Conditional on the id, so a retry (even one arriving at the same moment) finds it taken and changes nothing.
      const { count } = await tx.inboundSms.createMany({ data: [{ providerMessageId: input.messageSid, receivedAt: now }], skipDuplicates: true });
      if (count === 0) return { action: 'already-handled' as const, patients: 0 };
    }
    const patients = await tx.patient.findMany({
      where: { phone: input.from },
      select: { id: true, clinicId: true },
      orderBy: { createdAt: 'desc' },
    });
    const changed: typeof patients = [];
    for (const patient of patients) {
      // Conditional, so two STOPs at once change (and confirm) a patient once.
      const { count } = await tx.patient.updateMany({
        where: { id: patient.id, smsOptedOutAt: keyword === 'stop' ? null : { not: null } },
        data: { smsOptedOutAt: keyword === 'stop' ? now : null },
      });
      if (count === 0) continue;
      changed.push(patient);
      await recordAudit(tx, {
        actor: `patient:${patient.id}`,
        action: keyword === 'stop' ? 'sms.opted-out' : 'sms.opted-in',
        clinicId: patient.clinicId,
        patientId: patient.id,
        subject: `Patient/${patient.id}`,
      });
    }
    const first = changed[0];
    if (keyword === 'stop' && first) {
      await queueMessage(tx, {
        clinicId: first.clinicId,
        patientId: first.id,
        kind: 'OPT_OUT_CONFIRMATION',
        dedupeKey: `OPT_OUT_CONFIRMATION:${first.id}:${input.messageSid ?? now.toISOString()}`,
        sendAfter: now,
      });
    }
    return { action: keyword === 'stop' ? 'opted-out' : 'opted-in', patients: changed.length };
  });
}

const ACCEPTED_STATES = new Set(['accepted', 'scheduled', 'queued', 'sending', 'sent']);
const FAILED_STATES = new Set(['failed', 'undelivered']);

/**
 * A delivery report. `messageId` is our id, carried in the callback URL, so a report that arrives
 * before the worker has stored the provider's id still finds its message. Any report proves the
 * provider took the message, so it settles a message whose send had no clear answer: one still SENDING
 * (its worker may have died after the provider call), one QUEUED again after a timeout, or one that
 * failed on our side (no provider id: we never heard back) after its last such attempt. It is then
 * never sent again. A report never moves a message back (DELIVERED stays, a provider's FAILED stays).
 */
export async function receiveStatusCallback(
  input: { messageId?: string; messageSid: string; messageStatus: string; errorCode?: string },
  now = new Date(),
): Promise<{ updated: boolean }> {
  const message = await db.message.findFirst({
    where: input.messageId ? { id: input.messageId } : { providerMessageId: input.messageSid },
    select: { id: true, providerMessageId: true },
  });
  if (!message || (message.providerMessageId && message.providerMessageId !== input.messageSid)) return { updated: false };

  const state = input.messageStatus.toLowerCase();
  const where = (statuses: MessageStatus[]) =>
    ({
      id: message.id,
      OR: [{ status: { in: statuses } }, { status: 'FAILED', providerMessageId: null }],
    }) satisfies Prisma.MessageWhereInput;
  const settled = { providerMessageId: input.messageSid, lockedUntil: null, pendingTextSha256: null, pendingSince: null };
  let count = 0;
  if (state === 'delivered') {
    ({ count } = await db.message.updateMany({
      where: where(['QUEUED', 'SENDING', 'SENT']),
      data: { ...settled, status: 'DELIVERED', deliveredAt: now, lastError: null },
    }));
  } else if (FAILED_STATES.has(state)) {
    ({ count } = await db.message.updateMany({
      where: where(['QUEUED', 'SENDING', 'SENT']),
      data: { ...settled, status: 'FAILED', lastError: `Provider reported ${state}${input.errorCode ? ` (error ${input.errorCode})` : ''}` },
    }));
  } else if (ACCEPTED_STATES.has(state)) {
    ({ count } = await db.message.updateMany({ where: where(['QUEUED', 'SENDING']), data: { ...settled, status: 'SENT', sentAt: now, lastError: null } }));
  }
  return { updated: count === 1 };
}
