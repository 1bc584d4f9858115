// A visit whose patient never came: the clinician marks it no-show, or the sweeper does once its slot and a
// grace period have passed. Only a visit nobody was ever connected to becomes a no-show: a patient who waited
// in line, or a consult that took place, is never one.
import { db, type DbTx } from '@/server/db';
import { conflict, forbidden } from '@/server/errors';
import { requireCareStaff } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { cancelVisitMessages } from '@/server/notify/reminders';
import { startPeriodic } from '@/server/workers/periodic';
import { OPEN_VISIT_STATUSES } from '@/server/shared/visit-status';

/** After the end of its slot a visit nobody came to is left open this long before the sweeper marks it. */
export const NO_SHOW_GRACE_MINUTES = 30;

export async function markNoShow(principal: Principal, appointmentId: string) {
  const staff = requireCareStaff(principal, 'Only clinicians and nurses mark a visit as a no-show');
  return db.$transaction(async (tx) => {
    const [appointment] = await tx.$queryRaw<{ id: string; clinicId: string; patientId: string; status: string }[]>`
      SELECT id, "clinicId", "patientId", status FROM "Appointment" WHERE id = ${appointmentId} FOR UPDATE`;
    if (!appointment || appointment.clinicId !== staff.clinicId) throw forbidden('This appointment belongs to another clinic', 'forbidden');
    if (!(OPEN_VISIT_STATUSES as readonly string[]).includes(appointment.status)) {
      throw conflict('This visit has already ended or been cancelled', 'notChangeable');
    }
    const came = await tx.task.count({
      where: { appointmentId, OR: [{ state: { in: ['WAITING', 'OFFERED', 'ASSIGNED'] } }, { assignedAt: { not: null } }] },
    });
    if (came > 0) throw conflict('The patient came to this visit: it cannot be a no-show', 'patientCame');
    await closeAsNoShow(tx, appointment, `staff:${staff.id}`);
    return { id: appointmentId, status: 'NO_SHOW' as const };
  });
}

const SWEEP_BATCH = 200;

/** Visits left open past their slot and the grace period, that nobody came to, become no-shows. Safe in every process at once. */
export async function sweepNoShows(now = new Date()) {
  let markedNoShow = 0;
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const overdue = await tx.$queryRaw<{ id: string; clinicId: string; patientId: string }[]>`
        SELECT a.id, a."clinicId", a."patientId" FROM "Appointment" a
        WHERE a.status = ANY(${[...OPEN_VISIT_STATUSES]}::"AppointmentStatus"[])
          AND a."startsAt" + make_interval(mins => a."durationMinutes" + ${NO_SHOW_GRACE_MINUTES}) < ${now}::timestamp
          AND NOT EXISTS (
            SELECT 1 FROM "Task" t WHERE t."appointmentId" = a.id AND (t.state IN ('WAITING', 'OFFERED', 'ASSIGNED') OR t."assignedAt" IS NOT NULL))
        ORDER BY a."startsAt" LIMIT ${SWEEP_BATCH}
        FOR UPDATE OF a SKIP LOCKED`;
      for (const appointment of overdue) await closeAsNoShow(tx, appointment, 'system:no-show-sweeper');
      return overdue.length;
    });
    markedNoShow += batch;
    if (batch < SWEEP_BATCH) return { markedNoShow };
  }
}

async function closeAsNoShow(tx: DbTx, appointment: { id: string; clinicId: string; patientId: string }, actor: string) {
  await tx.appointment.update({ where: { id: appointment.id }, data: { status: 'NO_SHOW' } });
  await cancelVisitMessages(tx, appointment.id);
  await recordAudit(tx, {
    actor,
    action: 'appointment.no-show',
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    subject: `Appointment/${appointment.id}`,
  });
}

/** Runs the no-show sweep every `intervalMs` in this process; returns a stop function. */
export function startNoShowSweeper(intervalMs: number): () => void {
  return startPeriodic('no-show', intervalMs, () => sweepNoShows());
}
