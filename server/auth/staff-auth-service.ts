import { z } from 'zod';
import { db } from '@/server/db';
import { recordAudit } from '@/server/audit/audit-service';
import { verifyPassword } from './password';

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

/** Same answer for unknown email and wrong password, so sign-in does not reveal who has an account. */
export async function checkStaffPassword(input: { email: string; password: string }): Promise<StaffIdentity | null> {
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { id: true, name: true, email: true, role: true, clinicId: true, passwordHash: true, active: true },
  });
  const valid = user?.active ? await verifyPassword(user.passwordHash, input.password) : false;
  await recordAudit(db, {
    actor: user ? `staff:${user.id}` : 'anonymous',
    action: 'staff.sign-in',
    clinicId: user?.clinicId,
    outcome: valid ? 'success' : 'failure',
  });
  if (!user || !valid) return null;
  return { id: user.id, name: user.name, email: user.email, role: user.role, clinicId: user.clinicId };
}
