// Who a phone caller is: the patient whose number they call from, or, for a number the clinic does not know, the
// patient with a visit booked about now whose date of birth they key in. Either way the call takes that visit.
import { db } from '@/server/db';
import type { Patient } from '@/server/db/generated/client';

/** A visit booked this close to the call is the one the caller is calling about. */
const VISIT_WINDOW_MS = 12 * 60 * 60 * 1000;

/** A visit a call can take: still to come, not another call's, booked within the window around now. */
function callableVisit(now: Date) {
  return {
    status: { in: ['SCHEDULED' as const, 'CHECKED_IN' as const] },
    callRoom: null,
    startsAt: { gte: new Date(now.getTime() - VISIT_WINDOW_MS), lte: new Date(now.getTime() + VISIT_WINDOW_MS) },
  };
}
/** Wrong dates of birth a caller may key in before the call is given up. */
export const IDENTIFY_TRIES = 3;

/**
 * The caller's visit: their open visit booked near now, or a new phone visit. Either way it takes the call's room,
 * since LiveKit cannot move a caller into another room.
 */
export async function phoneVisitFor(patient: Patient, room: string, now: Date): Promise<string | null> {
  return db.$transaction(async (tx) => {
    const booked = await tx.appointment.findFirst({
      where: {
        patientId: patient.id,
        ...callableVisit(now),
        tasks: { none: { state: { in: ['WAITING', 'OFFERED', 'ASSIGNED'] } } },
      },
      orderBy: { startsAt: 'asc' },
      select: { id: true },
    });
    if (booked) {
      await tx.appointment.update({ where: { id: booked.id }, data: { callRoom: room, status: 'CHECKED_IN' } });
      return booked.id;
    }
    const clinicianId =
      patient.primaryClinicianId ??
      (await tx.user.findFirst({ where: { clinicId: patient.clinicId, role: 'CLINICIAN', active: true }, orderBy: { createdAt: 'asc' }, select: { id: true } }))
        ?.id;
    if (!clinicianId) return null;
    const visit = await tx.appointment.create({
      data: { clinicId: patient.clinicId, patientId: patient.id, clinicianId, startsAt: now, status: 'CHECKED_IN', callRoom: room },
      select: { id: true },
    });
    return visit.id;
  });
}

/** YYYYMMDD as a calendar date, or null when it is no date (20231301) or not eight digits. */
export function birthDateOfDigits(digits: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(digits);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1900) return null;
  return date;
}

/**
 * A caller from an unknown number keyed in a date of birth: the one patient of the clinic born that day with a visit
 * booked about now. Several such patients are as good as none: nobody's visit is opened on a guess.
 */
export async function identifyByBirthDate(
  session: { id: string; clinicId: string; room: string },
  digits: string,
  now = new Date(),
): Promise<{ identified: true; appointmentId: string } | { identified: false; triesLeft: number }> {
  const birthDate = birthDateOfDigits(digits);
  const candidates = birthDate
    ? await db.patient.findMany({
        where: {
          clinicId: session.clinicId,
          birthDate,
          appointments: { some: callableVisit(now) },
        },
        take: 2,
      })
    : [];
  const appointmentId = candidates.length === 1 ? await phoneVisitFor(candidates[0]!, session.room, now) : null;
  if (appointmentId) {
    await db.callSession.update({ where: { id: session.id }, data: { appointmentId, stage: 'MENU' } });
    return { identified: true, appointmentId };
  }
  const updated = await db.callSession.update({ where: { id: session.id }, data: { identifyTries: { increment: 1 } }, select: { identifyTries: true } });
  return { identified: false, triesLeft: Math.max(0, IDENTIFY_TRIES - updated.identifyTries) };
}
