// The benchmark's own embedded PostgreSQL: a fresh data directory under .data/bench, loopback, a free
// port; stopped by PID at the end, also on error or Ctrl-C.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runMigrations, startPostgres } from '../../lib/postgres.mjs';
import { REPO_ROOT, freePort } from '../../lib/proc.mjs';
import type { BenchConfig } from './config';
import { loadLine } from './measure';
import { log } from './log';

export type BenchPostgres = { url: string; pid: number; dataDir: string };

let server: Awaited<ReturnType<typeof startPostgres>> | null = null;
let dataDir: string | null = null;

/** Starts PostgreSQL in a new data directory and applies the migrations. */
export async function startBenchPostgres(config: BenchConfig): Promise<BenchPostgres> {
  const benchRoot = path.join(REPO_ROOT, '.data', 'bench');
  mkdirSync(benchRoot, { recursive: true });
  dataDir = mkdtempSync(path.join(benchRoot, 'run-'));
  const port = await freePort();
  log(loadLine());
  log(`starting PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(REPO_ROOT, dataDir)})`);
  const pgLog = config.pgLog;
  server = await startPostgres({
    dataDir,
    port,
    database: 'revisit_bench',
    ...(pgLog ? { log: (line: string) => appendFileSync(pgLog, line + '\n') } : {}),
    settings: {
      ...(config.statements ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } : {}),
      ...config.pgSettings,
    },
  });
  log(`PostgreSQL pid ${server.pid}; applying migrations`);
  await runMigrations(server.url);
  return { url: server.url, pid: server.pid, dataDir };
}

/** Stops our PostgreSQL: its own stop(), then by PID if the postmaster is somehow still alive. */
export async function stopBenchPostgres() {
  const running = server;
  server = null;
  if (!running) return;
  await running.stop().catch((error: Error) => log(`stop() failed: ${error.message}`));
  if (running.pid && isAlive(running.pid)) {
    log(`PostgreSQL (pid ${running.pid}) still running, sending SIGTERM`);
    try {
      process.kill(running.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(running.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(running.pid)) process.kill(running.pid, 'SIGKILL');
  }
  log(`PostgreSQL (pid ${running.pid}) stopped`);
}

/** Deletes the data directory, unless the run keeps it. */
export function removeBenchData(keep: boolean) {
  if (dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
  else if (dataDir) log(`kept ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
