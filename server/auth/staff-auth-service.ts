import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { db } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';
import { hashPassword, verifyPassword } from './password';

export const staffCredentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(200),
});

export type StaffIdentity = {
  id: string;
  name: string;
  email: string;
  role: 'CLINICIAN' | 'NURSE' | 'ADMIN';
  clinicId: string;
};

let standIn: Promise<string> | undefined;
/** A hash of a random password, made with the same settings as real ones, to check against when there is no account. */
function standInHash(): Promise<string> {
  standIn ??= hashPassword(randomBytes(32).toString('base64url'));
  return standIn;
}

/**
 * Same answer for unknown email and wrong password, so sign-in does not reveal who has an account, and the
 * same work: the password is checked against a hash every time (a stand-in for an unknown email), so an
 * unknown or inactive email does not answer sooner.
 */
export async function checkStaffPassword(input: { email: string; password: string }): Promise<StaffIdentity | null> {
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { id: true, name: true, email: true, role: true, clinicId: true, passwordHash: true, active: true },
  });
  const matches = await verifyPassword(user?.passwordHash ?? (await standInHash()), input.password);
  const valid = !!user?.active && matches;
  await recordAudit(db, {
    actor: user ? `staff:${user.id}` : 'anonymous',
    action: 'staff.sign-in',
    clinicId: user?.clinicId,
    outcome: valid ? 'success' : 'failure',
  });
  if (!user || !valid) return null;
  return { id: user.id, name: user.name, email: user.email, role: user.role, clinicId: user.clinicId };
}
