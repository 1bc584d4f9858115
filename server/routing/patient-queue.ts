// The patient's side of the queue: joining (once the telehealth consent is given), staying seen, leaving.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { PatientPrincipal } from '@/server/auth/guards';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { hasTelehealthConsent } from '@/server/visit/consent-service';
import { dispatchClinic } from './dispatcher';
import { FOLLOW_UP_QUEUE_SLUG } from './routing-config';
import { createWaitingTask, endOpenTasks } from './tasks';
import { maskPhoneNumber } from '@/server/shared/phone-numbers';

const LIVE_STATES = ['WAITING', 'OFFERED', 'ASSIGNED'] as const;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/** The waiting room's door: a patient queues only after accepting the telehealth consent. */
export async function joinWaitingRoom(principal: PatientPrincipal, now = new Date()) {
  if (!(await hasTelehealthConsent(principal.appointmentId))) {
    throw forbidden('Please read and accept the telehealth consent first.', 'consentRequired');
  }
  const task = await enqueueForAppointment(principal, now);
  return { taskId: task.id };
}

/** What the caller chose in the clinic's menu: the queue, its priority, and what the desk shows with the task. */
export type MenuChoice = { queueSlug: string; priority: number; reason: { en: string; zh: string }; digits: string[] };

/**
 * Puts the patient's visit in a queue of its clinic: the follow-up queue, or the one chosen in the menu.
 * Calling it again (a reload, a reconnect, another device) returns the same live task, with its place,
 * instead of creating a second one.
 */
export async function enqueueForAppointment(principal: PatientPrincipal, now = new Date(), choice?: MenuChoice, phone?: { callerNumber: string | null }) {
  const existing = await db.task.findFirst({
    where: { appointmentId: principal.appointmentId, state: { in: [...LIVE_STATES] } },
  });
  if (existing) {
    await db.task.update({ where: { id: existing.id }, data: { lastSeenAt: now } });
    return existing;
  }
  const appointment = await db.appointment.findUniqueOrThrow({
    where: { id: principal.appointmentId },
    select: { id: true, clinicId: true, clinicianId: true, reason: true, status: true, patient: { select: { id: true, preferredLocale: true } } },
  });
  if (CLOSED_VISIT_STATUSES.has(appointment.status)) throw conflict('This visit is cancelled or has ended', 'revoked');
  const queue = await db.queue.findUnique({ where: { clinicId_slug: { clinicId: appointment.clinicId, slug: choice?.queueSlug ?? FOLLOW_UP_QUEUE_SLUG } } });
  if (!queue) throw notFound('This clinic has no such queue', 'noQueue');
  // A racing request for the same visit may win the create; its task is then the one. If that task
  // ends before we read it, the visit may queue again, so try once more.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const task = await db.$transaction(async (tx) => {
        return createWaitingTask(tx, {
          clinicId: appointment.clinicId,
          queueId: queue.id,
          channel: phone ? 'PHONE' : 'WEB',
          patientId: appointment.patient.id,
          appointmentId: appointment.id,
          preferredClinicianId: appointment.clinicianId,
          priority: choice?.priority ?? 0,
          attributes: {
            reason: appointment.reason,
            language: appointment.patient.preferredLocale,
            ...(choice ? { menuChoice: choice.reason, menuPath: choice.digits } : {}),
            // The desk shows the number masked; the full number stays with the call's session.
            ...(phone?.callerNumber ? { callerNumberMasked: maskPhoneNumber(phone.callerNumber) } : {}),
          },
          now,
        });
      });
      await dispatchClinic(appointment.clinicId, now);
      return task;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await db.task.findFirst({ where: { appointmentId: appointment.id, state: { in: [...LIVE_STATES] } } });
      if (winner) return winner;
    }
  }
  throw conflict('This visit could not join the queue; please try again', 'retry');
}

/** The waiting page's connection is alive. */
export async function touchTask(taskId: string, now = new Date()) {
  await db.task.updateMany({ where: { id: taskId, state: { in: ['WAITING', 'OFFERED'] } }, data: { lastSeenAt: now } });
}

export async function leaveQueue(principal: PatientPrincipal, now = new Date()) {
  const ended = await db.$transaction((tx) => endOpenTasks(tx, principal.clinicId, { appointmentId: principal.appointmentId }, 'left', now));
  return { left: ended.length > 0 };
}
