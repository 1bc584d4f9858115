import type { Prisma } from '@/server/db/generated/client';
import type { DbTx } from '@/server/db';

export const appointmentListItemSelect = {
  id: true,
  startsAt: true,
  durationMinutes: true,
  reason: true,
  status: true,
  patient: { select: { id: true, givenName: true, familyName: true } },
  clinician: { select: { id: true, name: true } },
} satisfies Prisma.AppointmentSelect;

export type AppointmentListItem = Prisma.AppointmentGetPayload<{ select: typeof appointmentListItemSelect }>;

export function findForClinicBetween(tx: DbTx, where: { clinicId: string; clinicianId?: string; start: Date; end: Date }) {
  return tx.appointment.findMany({
    where: {
      clinicId: where.clinicId,
      clinicianId: where.clinicianId,
      startsAt: { gte: where.start, lt: where.end },
    },
    orderBy: { startsAt: 'asc' },
    select: appointmentListItemSelect,
  });
}

export function findForConsult(tx: DbTx, appointmentId: string) {
  return tx.appointment.findUnique({
    where: { id: appointmentId },
    select: {
      id: true,
      clinicId: true,
      clinicianId: true,
      status: true,
      startsAt: true,
      callRoom: true,
      clinic: { select: { name: true, timeZone: true } },
      clinician: { select: { name: true } },
      patient: { select: { id: true, givenName: true, familyName: true } },
    },
  });
}
