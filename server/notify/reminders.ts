// What the scheduling side calls when a visit is booked, moved or cancelled. Everything is queued in
// the caller's transaction, so messages exist exactly when the change that caused them commits.
import type { DbTx } from '@/server/db';
import type { MessageKind } from '@/server/db/generated/client';
import { visitMessageKey } from './message-keys';
import { REMINDERS, VISIT_KINDS, type SkipReason } from './notify-config';
import { queueMessage } from './outbox';

type VisitForMessages = { id: string; clinicId: string; patientId: string; startsAt: Date };

const FIRST_KINDS = ['BOOKED', 'RESCHEDULED'] as const satisfies readonly MessageKind[];

/**
 * Queues the confirmation now (BOOKED, or RESCHEDULED when this visit had messages for another start
 * time) and the reminders 24 h and 15 min before the start whose time has not passed. Messages still
 * queued for an earlier start time of this visit are skipped. Calling it twice for the same start time
 * queues nothing new.
 */
export async function scheduleVisitMessages(tx: DbTx, appointment: VisitForMessages, options: { now?: Date } = {}): Promise<{ queued: MessageKind[] }> {
  const now = options.now ?? new Date();
  const startKey = `:${appointment.id}:${appointment.startsAt.toISOString()}`;
  const forOtherStart = { appointmentId: appointment.id, kind: { in: [...VISIT_KINDS] }, NOT: { dedupeKey: { contains: startKey } } };

  await tx.message.updateMany({
    where: { ...forOtherStart, status: 'QUEUED' },
    data: { status: 'SKIPPED', lastError: 'rescheduled' satisfies SkipReason },
  });
  // Confirmations sent for other start times: 0 for a new booking, and it only grows as the visit moves.
  const generation = await tx.message.count({ where: { ...forOtherStart, kind: { in: [...FIRST_KINDS] } } });

  const base = { clinicId: appointment.clinicId, patientId: appointment.patientId, appointmentId: appointment.id };
  const key = (kind: MessageKind) => visitMessageKey(kind, appointment.id, appointment.startsAt, generation);
  const queued: MessageKind[] = [];

  const first = generation === 0 ? 'BOOKED' : 'RESCHEDULED';
  if ((await queueMessage(tx, { ...base, kind: first, dedupeKey: key(first), sendAfter: now })).queued) queued.push(first);

  for (const reminder of REMINDERS) {
    const sendAfter = new Date(appointment.startsAt.getTime() - reminder.minutesBefore * 60_000);
    if (sendAfter.getTime() <= now.getTime() + reminder.minGapAfterBookingMinutes * 60_000) continue;
    if ((await queueMessage(tx, { ...base, kind: reminder.kind, dedupeKey: key(reminder.kind), sendAfter })).queued) {
      queued.push(reminder.kind);
    }
  }
  return { queued };
}

/** The visit is cancelled: nothing still waiting to go out about it is sent (its CANCELLED notice still is). */
export async function cancelVisitMessages(tx: DbTx, appointmentId: string): Promise<{ skipped: number }> {
  const { count } = await tx.message.updateMany({
    where: { appointmentId, status: 'QUEUED', kind: { in: [...VISIT_KINDS] } },
    data: { status: 'SKIPPED', lastError: 'appointment-cancelled' satisfies SkipReason },
  });
  return { skipped: count };
}

/** Tells the patient their visit was cancelled (call after cancelVisitMessages, in the same transaction). */
export async function notifyVisitCancelled(tx: DbTx, appointment: VisitForMessages, options: { now?: Date } = {}) {
  return queueMessage(tx, {
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    appointmentId: appointment.id,
    kind: 'CANCELLED',
    dedupeKey: visitMessageKey('CANCELLED', appointment.id, appointment.startsAt),
    sendAfter: options.now ?? new Date(),
  });
}
