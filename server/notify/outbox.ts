import type { DbTx } from '@/server/db';
import type { MessageKind } from '@/server/db/generated/client';

export type QueueMessageInput = {
  clinicId: string;
  patientId: string;
  appointmentId?: string | null;
  kind: MessageKind;
  /** The same key twice is one message (e.g. `reminder-24h:<appointmentId>:<startsAt>`). */
  dedupeKey: string;
  /** Not sent before this time (reminders are queued at booking for later). */
  sendAfter?: Date;
  /** Another number than the patient's (a phone caller's own, for a video link); their opt-out still applies. */
  to?: string;
};

/**
 * Queues an SMS in the caller's transaction, so the message exists exactly when the change that
 * caused it commits. The text (with a fresh personal link) is written when it is sent. A patient who
 * opted out gets the row too, marked SKIPPED, so staff can see why nothing went out.
 */
export async function queueMessage(tx: DbTx, input: QueueMessageInput): Promise<{ queued: boolean }> {
  const patient = await tx.patient.findUniqueOrThrow({ where: { id: input.patientId }, select: { phone: true, smsOptedOutAt: true } });
  const sendAfter = input.sendAfter ?? new Date();
  const { count } = await tx.message.createMany({
    data: [
      {
        clinicId: input.clinicId,
        patientId: input.patientId,
        appointmentId: input.appointmentId ?? null,
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        to: input.to ?? patient.phone,
        sendAfter,
        nextAttemptAt: sendAfter,
        status: patient.smsOptedOutAt && input.kind !== 'OPT_OUT_CONFIRMATION' ? 'SKIPPED' : 'QUEUED',
      },
    ],
    skipDuplicates: true,
  });
  return { queued: count === 1 };
}
