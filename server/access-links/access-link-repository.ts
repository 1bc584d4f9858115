import type { Prisma } from '@/server/db/generated/client';
import type { DbTx } from '@/server/db';

export const linkForCheckSelect = {
  id: true,
  purpose: true,
  expiresAt: true,
  maxUses: true,
  useCount: true,
  failedAttempts: true,
  lockedAt: true,
  revokedAt: true,
  appointment: {
    select: {
      id: true,
      status: true,
      startsAt: true,
      clinicId: true,
      clinic: { select: { name: true, timeZone: true } },
      clinician: { select: { name: true } },
      patient: { select: { id: true, givenName: true, familyName: true, birthDate: true, linkFailedAttempts: true, linkLockedUntil: true } },
    },
  },
} satisfies Prisma.AccessLinkSelect;

export type LinkForCheck = Prisma.AccessLinkGetPayload<{ select: typeof linkForCheckSelect }>;

export function findLinkByTokenHash(tx: DbTx, tokenHash: string) {
  return tx.accessLink.findUnique({ where: { tokenHash }, select: linkForCheckSelect });
}

/** Row lock so concurrent answers on the same link are counted one after another. */
export async function lockLinkRow(tx: DbTx, id: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "AccessLink" WHERE id = ${id} FOR UPDATE`;
}

/** Row lock on the link's patient (taken after the link's), so answers on different links count one after another. */
export async function lockPatientRow(tx: DbTx, patientId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Patient" WHERE id = ${patientId} FOR UPDATE`;
}
