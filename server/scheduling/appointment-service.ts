import { db } from '@/server/db';
import { notFound } from '@/server/errors';
import type { Principal } from '@/server/auth/session-types';
import { requirePatient, requireStaff } from '@/server/auth/guards';
import { dayBounds } from '@/server/shared/zoned';
import { findForClinicBetween, findForConsult } from './appointment-repository';

/** Clinicians see their own day; nurses and admins see the whole clinic's. */
export async function listTodayForStaff(principal: Principal, now = new Date()) {
  const staff = requireStaff(principal, undefined, 'Only clinic staff can list appointments');
  const clinic = await db.clinic.findUnique({ where: { id: staff.clinicId }, select: { timeZone: true, name: true } });
  if (!clinic) throw notFound('Clinic not found');
  const { start, end } = dayBounds(now, clinic.timeZone);
  const appointments = await findForClinicBetween(db, {
    clinicId: staff.clinicId,
    clinicianId: staff.role === 'CLINICIAN' ? staff.id : undefined,
    start,
    end,
  });
  return { clinicName: clinic.name, timeZone: clinic.timeZone, appointments };
}

/** The visit a patient's link is for, with its clinic and clinician, or null when it no longer exists. */
export async function visitOfPatient(principal: Principal) {
  const patient = requirePatient(principal, 'Only the patient of this visit can see it');
  const appointment = await findForConsult(db, patient.appointmentId);
  return appointment?.patient.id === patient.id ? appointment : null;
}
