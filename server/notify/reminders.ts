// Minimal stand-in written with scheduling; the messaging work may replace it (same two signatures).
import type { DbTx } from '@/server/db';
import type { MessageKind } from '@/server/db/generated/client';
import { queueMessage } from './outbox';

type VisitForMessages = { id: string; clinicId: string; patientId: string; startsAt: Date };

const REMINDERS: { kind: MessageKind; minutesBefore: number }[] = [
  { kind: 'REMINDER_24H', minutesBefore: 24 * 60 },
  { kind: 'REMINDER_15M', minutesBefore: 15 },
];

const dedupeKey = (kind: MessageKind, appointment: VisitForMessages) =>
  `${kind}:${appointment.id}:${appointment.startsAt.toISOString()}`;

/** The booking confirmation now, and the reminders whose time has not passed yet. */
export async function scheduleVisitMessages(tx: DbTx, appointment: VisitForMessages): Promise<void> {
  const now = new Date();
  const base = { clinicId: appointment.clinicId, patientId: appointment.patientId, appointmentId: appointment.id };
  await queueMessage(tx, { ...base, kind: 'BOOKED', dedupeKey: dedupeKey('BOOKED', appointment), sendAfter: now });
  for (const { kind, minutesBefore } of REMINDERS) {
    const sendAfter = new Date(appointment.startsAt.getTime() - minutesBefore * 60_000);
    if (sendAfter <= now) continue;
    await queueMessage(tx, { ...base, kind, dedupeKey: dedupeKey(kind, appointment), sendAfter });
  }
}

/** Nothing still waiting to go out for this visit is sent. */
export async function cancelVisitMessages(tx: DbTx, appointmentId: string): Promise<void> {
  await tx.message.updateMany({ where: { appointmentId, status: 'QUEUED' }, data: { status: 'SKIPPED' } });
}
