import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createClinic, createStaff } from '@/server/testing/factories';
import { checkStaffPassword } from './staff-auth-service';

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('staff sign-in (real PostgreSQL)', () => {
  it('signs in with the right password only, and never an inactive account', async () => {
    const clinic = await createClinic();
    const nurse = await createStaff(clinic.id, 'NURSE');
    expect(await checkStaffPassword({ email: nurse.email, password: nurse.password })).toMatchObject({ id: nurse.id, role: 'NURSE' });
    expect(await checkStaffPassword({ email: nurse.email, password: 'not-the-password' })).toBeNull();
    await db.user.update({ where: { id: nurse.id }, data: { active: false } });
    expect(await checkStaffPassword({ email: nurse.email, password: nurse.password })).toBeNull();
  });

  it('takes as long for an unknown or inactive email as for a known one, so timing does not tell who has an account', async () => {
    const clinic = await createClinic();
    const known = await createStaff(clinic.id, 'CLINICIAN');
    const inactive = await createStaff(clinic.id, 'CLINICIAN');
    await db.user.update({ where: { id: inactive.id }, data: { active: false } });
    const tries = {
      known: () => checkStaffPassword({ email: known.email, password: 'wrong-password-1' }),
      unknown: () => checkStaffPassword({ email: `nobody-${randomBytes(4).toString('hex')}@test.revisit.local`, password: 'wrong-password-1' }),
      inactive: () => checkStaffPassword({ email: inactive.email, password: inactive.password }),
    };
    // One of each to warm up, then the three interleaved so load on the machine hits them alike.
    for (const run of Object.values(tries)) await run();
    const times: Record<keyof typeof tries, number[]> = { known: [], unknown: [], inactive: [] };
    for (let round = 0; round < 15; round++) {
      for (const name of Object.keys(tries) as (keyof typeof tries)[]) times[name].push(await timed(tries[name]));
    }
    const known50 = median(times.known);
    // Without the password-hash work an unknown email answers in a small fraction of the time (a database read).
    // The margin is wide: any answer within half to twice the known one's median.
    for (const name of ['unknown', 'inactive'] as const) {
      const ratio = median(times[name]) / known50;
      expect(ratio, `${name}: median ${median(times[name]).toFixed(1)} ms vs known ${known50.toFixed(1)} ms`).toBeGreaterThan(0.5);
      expect(ratio, `${name}: median ${median(times[name]).toFixed(1)} ms vs known ${known50.toFixed(1)} ms`).toBeLessThan(2);
    }
  });
});
