import type { Prisma } from '@/server/db/generated/client';
import type { DbTx } from '@/server/db';
import { BLOCKING_STATUSES, MAX_DURATION_MINUTES } from '@/server/shared/scheduling-config';

/** Bookings of one clinician are made one at a time, whichever web process makes them. */
export async function lockClinicianSchedule(tx: DbTx, clinicianId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`schedule:${clinicianId}`}))`;
}

export const scheduledAppointmentSelect = {
  id: true,
  clinicId: true,
  patientId: true,
  clinicianId: true,
  startsAt: true,
  durationMinutes: true,
  reason: true,
  status: true,
  clinic: { select: { timeZone: true } },
} satisfies Prisma.AppointmentSelect;

export type ScheduledAppointment = Prisma.AppointmentGetPayload<{ select: typeof scheduledAppointmentSelect }>;

export function findByIdForScheduling(tx: DbTx, appointmentId: string) {
  return tx.appointment.findUnique({ where: { id: appointmentId }, select: scheduledAppointmentSelect });
}

/** The clinician's appointments that hold time between `start` and `end` (any that may overlap it). */
export function findBlockingForClinician(tx: DbTx, where: { clinicianId: string; start: Date; end: Date; excludeAppointmentId?: string }) {
  return tx.appointment.findMany({
    where: {
      clinicianId: where.clinicianId,
      status: { in: [...BLOCKING_STATUSES] },
      id: where.excludeAppointmentId ? { not: where.excludeAppointmentId } : undefined,
      // No visit is longer than the maximum, so anything starting earlier than that has ended.
      startsAt: { gt: new Date(where.start.getTime() - MAX_DURATION_MINUTES * 60_000), lt: where.end },
    },
    orderBy: { startsAt: 'asc' },
    select: { id: true, startsAt: true, durationMinutes: true },
  });
}

export function findClinicianInClinic(tx: DbTx, clinicianId: string, clinicId: string) {
  return tx.user.findFirst({
    where: { id: clinicianId, clinicId, role: 'CLINICIAN', active: true },
    select: { id: true, name: true },
  });
}

export function findCliniciansOfClinic(tx: DbTx, clinicId: string) {
  return tx.user.findMany({
    where: { clinicId, role: 'CLINICIAN', active: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true },
  });
}

export const patientOptionSelect = {
  id: true,
  givenName: true,
  familyName: true,
  birthDate: true,
  primaryClinicianId: true,
} satisfies Prisma.PatientSelect;

export function findPatientsOfClinic(tx: DbTx, clinicId: string, query: string | undefined, take: number) {
  const words = query?.split(/\s+/).filter(Boolean) ?? [];
  return tx.patient.findMany({
    where: {
      clinicId,
      AND: words.map((word) => ({
        OR: [
          { familyName: { contains: word, mode: 'insensitive' as const } },
          { givenName: { contains: word, mode: 'insensitive' as const } },
          { phone: { contains: word } },
          // A whole name as written, family name first (张三, 欧阳娜娜).
          ...[1, 2]
            .filter((split) => word.length > split)
            .map((split) => ({
              familyName: { equals: word.slice(0, split), mode: 'insensitive' as const },
              givenName: { startsWith: word.slice(split), mode: 'insensitive' as const },
            })),
        ],
      })),
    },
    orderBy: [{ familyName: 'asc' }, { givenName: 'asc' }, { id: 'asc' }],
    take,
    select: patientOptionSelect,
  });
}

export function findPatientInClinic(tx: DbTx, patientId: string, clinicId: string) {
  return tx.patient.findFirst({ where: { id: patientId, clinicId }, select: { id: true } });
}
