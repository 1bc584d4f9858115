// Specialist requests: a running consult asks for a specialist, who is found through the routing
// engine (a SPECIALIST_REQUEST task in the clinic's specialist queue) and joins the same room.
import { db } from '@/server/db';
import { conflict, forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { createWaitingTask, dispatchClinic, endOpenTasks } from '@/server/routing/tasks';
import { authorizeConsult } from './consult-access';
import { may } from '@/server/shared/consult-policy';
import { finishSpecialistTasks } from './specialist-tasks';
import { SPECIALIST_QUEUE_SLUG, SPECIALIST_SKILL, URGENT_PRIORITY, type SpecialistDepartment } from '@/server/shared/specialist-config';

/** What the specialist's desk shows with the offer: whom it is for and who asked. */
export type SpecialistTaskAttributes = {
  patientName: string;
  reason: string | null;
  requestedBy: string;
  requestedByRole: string;
  department: SpecialistDepartment;
  urgency: 'ROUTINE' | 'URGENT';
  note: string | null;
};

export type SpecialistRequestState = 'waiting' | 'offered' | 'accepted' | 'joined' | 'finished' | 'cancelled';

async function requireHost(principal: Principal, appointmentId: string) {
  const access = await authorizeConsult(principal, appointmentId);
  if (!may(access.partyRole, 'requestSpecialist')) {
    throw forbidden('Only the clinician or nurse holding the consult can request a specialist', 'notAllowed');
  }
  return access;
}

export async function requestSpecialist(
  principal: Principal,
  input: { appointmentId: string; department: SpecialistDepartment; urgency: 'ROUTINE' | 'URGENT'; note?: string },
  now = new Date(),
) {
  const { appointment, partyRole } = await requireHost(principal, input.appointmentId);
  const started = await db.task.count({ where: { appointmentId: appointment.id, state: 'ASSIGNED' } });
  if (started === 0) throw conflict('Start the consult before requesting a specialist', 'notInProgress');
  const queue = await db.queue.findUnique({ where: { clinicId_slug: { clinicId: appointment.clinicId, slug: SPECIALIST_QUEUE_SLUG } } });
  if (!queue) throw notFound('This clinic has no specialist queue', 'noSpecialistQueue');
  const attributes: SpecialistTaskAttributes = {
    patientName: `${appointment.patient.familyName}${appointment.patient.givenName}`,
    reason: (await db.appointment.findUniqueOrThrow({ where: { id: appointment.id }, select: { reason: true } })).reason,
    requestedBy: principal.name,
    requestedByRole: partyRole,
    department: input.department,
    urgency: input.urgency,
    note: input.note || null,
  };
  const request = await db.$transaction(async (tx) => {
    // One request per department at a time: requests for the same consult queue up on its row.
    await tx.$queryRaw`SELECT id FROM "Appointment" WHERE id = ${appointment.id} FOR UPDATE`;
    const live = await tx.specialistRequest.findMany({
      where: { appointmentId: appointment.id, department: input.department, cancelledAt: null },
      select: { taskId: true },
    });
    const liveTasks = await tx.task.count({
      where: { id: { in: live.map((r) => r.taskId) }, state: { in: ['WAITING', 'OFFERED', 'ASSIGNED'] } },
    });
    if (liveTasks > 0) throw conflict('A specialist of this department is already requested for this consult', 'alreadyRequested');
    const task = await createWaitingTask(tx, {
      clinicId: appointment.clinicId,
      queueId: queue.id,
      channel: 'SPECIALIST_REQUEST',
      patientId: appointment.patient.id,
      consultAppointmentId: appointment.id,
      priority: input.urgency === 'URGENT' ? URGENT_PRIORITY : 0,
      requiredSkills: [SPECIALIST_SKILL, input.department],
      attributes,
      now,
    });
    const created = await tx.specialistRequest.create({
      data: {
        clinicId: appointment.clinicId,
        appointmentId: appointment.id,
        taskId: task.id,
        requestedById: principal.id,
        department: input.department,
        urgency: input.urgency,
        note: input.note || null,
        createdAt: now,
      },
    });
    await recordAudit(tx, {
      actor: `${principal.kind}:${principal.id}`,
      action: 'consult.specialist-requested',
      clinicId: appointment.clinicId,
      patientId: appointment.patient.id,
      subject: `Appointment/${appointment.id}`,
      detail: { requestId: created.id, department: input.department, urgency: input.urgency },
    });
    return created;
  });
  await dispatchClinic(appointment.clinicId, now);
  return { requestId: request.id };
}

export async function cancelSpecialistRequest(principal: Principal, requestId: string, now = new Date()) {
  const request = await db.specialistRequest.findUnique({ where: { id: requestId } });
  if (!request) throw notFound('This specialist request does not exist');
  await requireHost(principal, request.appointmentId);
  await db.$transaction(async (tx) => {
    const ended = await endOpenTasks(tx, request.clinicId, { taskIds: [request.taskId] }, 'cancelledByRequester', now);
    if (ended.length === 0) {
      const task = await tx.task.findUniqueOrThrow({ where: { id: request.taskId }, select: { state: true } });
      if (task.state === 'ASSIGNED') throw conflict('The specialist has already accepted', 'alreadyAccepted');
    }
    await tx.specialistRequest.updateMany({ where: { id: request.id, cancelledAt: null }, data: { cancelledAt: now } });
  });
  return { cancelled: true };
}

/** The requests of one consult with where each stands, for the room's panel. */
export async function specialistRequestsOf(principal: Principal, appointmentId: string) {
  await authorizeConsult(principal, appointmentId);
  return listSpecialistRequests(appointmentId);
}

export async function listSpecialistRequests(appointmentId: string) {
  const requests = await db.specialistRequest.findMany({ where: { appointmentId }, orderBy: { createdAt: 'asc' } });
  const tasks = await db.task.findMany({
    where: { id: { in: requests.map((r) => r.taskId) } },
    select: { id: true, state: true, assignedClinicianId: true, endReason: true },
  });
  const specialistIds = tasks.map((t) => t.assignedClinicianId).filter((v): v is string => !!v);
  const [names, present] = await Promise.all([
    db.user.findMany({ where: { id: { in: specialistIds } }, select: { id: true, name: true } }),
    db.consultParticipant.findMany({ where: { appointmentId, identity: { in: specialistIds } }, select: { identity: true } }),
  ]);
  return requests.map((request) => {
    const task = tasks.find((t) => t.id === request.taskId);
    const specialistId = task?.assignedClinicianId ?? null;
    let state: SpecialistRequestState;
    if (!task || request.cancelledAt || task.state === 'CANCELLED' || task.state === 'ABANDONED') state = 'cancelled';
    else if (task.state === 'WAITING') state = 'waiting';
    else if (task.state === 'OFFERED') state = 'offered';
    else if (task.state === 'COMPLETED') state = 'finished';
    else state = present.some((p) => p.identity === specialistId) ? 'joined' : 'accepted';
    return {
      id: request.id,
      department: request.department,
      urgency: request.urgency,
      createdAt: request.createdAt.toISOString(),
      state,
      specialistName: names.find((u) => u.id === specialistId)?.name ?? null,
    };
  });
}

/** The specialist is done: their task completes and they go into wrap-up; the consult goes on. */
export async function leaveAsSpecialist(principal: Principal, appointmentId: string) {
  const { partyRole } = await authorizeConsult(principal, appointmentId);
  if (partyRole !== 'SPECIALIST') throw forbidden('Only a specialist called into this consult finishes this way', 'notAllowed');
  return finishSpecialistTasks(appointmentId, { clinicianId: principal.id });
}
