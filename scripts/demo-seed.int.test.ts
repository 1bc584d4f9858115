import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { spawnScript } from '@/server/testing/spawn-script';
import { demoClinic, demoStaff } from '@/prisma/fixtures';

// The demo seed makes staff accounts with a published password (an administrator among them).
describe('demo seed (real PostgreSQL)', () => {
  it('refuses to run with NODE_ENV=production and writes nothing', async () => {
    const emails = demoStaff.map((s) => s.email);
    const before = await db.user.count({ where: { email: { in: emails } } });
    const run = spawnScript('prisma/seed.ts', { NODE_ENV: 'production', FHIR_BASE_URL: '', SEED_SUMMARY_FILE: '' });
    const { code, output } = await run.done;
    expect(code).toBe(1);
    expect(output).toContain('NODE_ENV=production');
    expect(await db.user.count({ where: { email: { in: emails } } })).toBe(before);
    expect(await db.clinic.count({ where: { slug: demoClinic.slug } })).toBe(0);
  }, 60_000);
});
