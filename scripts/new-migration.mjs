// `node scripts/new-migration.mjs <name>`: writes a new migration for the changes in schema.prisma,
// diffed against a throwaway embedded PostgreSQL that has all existing migrations applied.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMigrations, startPostgres } from './lib/postgres.mjs';
import { freePort, run } from './lib/proc.mjs';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: node scripts/new-migration.mjs <snake_case_name>');
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'revisit-migrate-'));
const pg = await startPostgres({ dataDir: dir, port: await freePort(), database: 'revisit_migrate' });
try {
  await runMigrations(pg.url);
  await run('npx', ['prisma', 'migrate', 'dev', '--create-only', '--skip-generate', '--name', name], {
    env: { ...process.env, DATABASE_URL: pg.url },
  });
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
