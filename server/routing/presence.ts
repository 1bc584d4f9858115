// A clinician's presence: becoming available (which may bring an offer at once) and going offline.
import { db, type DbTx } from '@/server/db';
import { conflict } from '@/server/errors';
import { requireCareStaff } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { becomeAvailable, dispatchClinic, lockClinicRouting } from './dispatcher';
import { appointmentTopic, clinicianTopic, publishRoutingChange } from './routing-events';
import { retryOnceOnDeadlock } from './routing-sql';

/**
 * A clinician's live offers' tasks go back to their places in line. Only offers still pending are
 * touched: an accept committing at the same moment wins and keeps its offer.
 */
async function rescindOffersOf(tx: DbTx, clinicianId: string, now: Date): Promise<string[]> {
  const rescinded = await tx.$queryRaw<{ taskId: string; appointmentId: string | null }[]>`
    WITH rescinded AS (
      UPDATE "Offer" SET state = 'RESCINDED', "respondedAt" = ${now}
      WHERE "clinicianId" = ${clinicianId} AND state = 'PENDING'
      RETURNING "taskId"
    )
    UPDATE "Task" t SET state = 'WAITING' FROM rescinded
    WHERE t.id = rescinded."taskId" AND t.state = 'OFFERED'
    RETURNING t.id AS "taskId", t."appointmentId"`;
  return rescinded.flatMap((r) => (r.appointmentId ? [appointmentTopic(r.appointmentId)] : []));
}

export async function setPresence(principal: Principal, state: 'AVAILABLE' | 'OFFLINE', now = new Date()) {
  const staff = requireCareStaff(principal);
  if (state === 'AVAILABLE') {
    const result = await retryOnceOnDeadlock(() => becomeAvailable(staff.id, staff.clinicId, now));
    if (result.busy) throw conflict('Finish your current consult before taking the next patient', 'busy');
    if (!result.offerId) await dispatchClinic(staff.clinicId, now);
    return { state };
  }
  // Going offline takes back pending offers and then changes the presence, under the clinic's
  // exclusive lock so that no dispatch round commits an offer in between. (Offers before presence:
  // the order in which an accept locks the same rows.) A clinician in a consult stays busy until it
  // ends: going offline then would leave a patient assigned to someone routing counts as away.
  await db.$transaction(async (tx) => {
    await lockClinicRouting(tx, staff.clinicId);
    const inConsult = await tx.task.count({ where: { assignedClinicianId: staff.id, state: 'ASSIGNED' } });
    if (inConsult > 0) throw conflict('Finish your current consult before going offline', 'busy');
    const patients = await rescindOffersOf(tx, staff.id, now);
    await tx.clinicianPresence.upsert({
      where: { userId: staff.id },
      create: { userId: staff.id, clinicId: staff.clinicId, state: 'OFFLINE' },
      update: { state: 'OFFLINE', wrapUpUntil: null },
    });
    await publishRoutingChange(tx, staff.clinicId, [clinicianTopic(staff.id), ...patients]);
  });
  return { state };
}
