import { db } from '@/server/db';
import { forbidden, notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { dayBounds } from '@/server/time/zoned';
import { findForClinicBetween } from './appointment-repository';

/** Clinicians see their own day; nurses and admins see the whole clinic's. */
export async function listTodayForStaff(principal: Principal, now = new Date()) {
  if (principal.kind !== 'staff') throw forbidden('Only clinic staff can list appointments');
  const clinic = await db.clinic.findUnique({ where: { id: principal.clinicId }, select: { timeZone: true, name: true } });
  if (!clinic) throw notFound('Clinic not found');
  const { start, end } = dayBounds(now, clinic.timeZone);
  const appointments = await findForClinicBetween(db, {
    clinicId: principal.clinicId,
    clinicianId: principal.role === 'CLINICIAN' ? principal.id : undefined,
    start,
    end,
  });
  return { clinicName: clinic.name, timeZone: clinic.timeZone, appointments };
}
