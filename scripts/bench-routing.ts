// `npm run bench:routing`: a benchmark (not a timed test) of the routing engine on a deep queue.
//
// All in one process against its own embedded PostgreSQL (scripts/bench/routing/postgres.ts: a fresh
// data directory under .data/bench, loopback, a free port; stopped by PID at the end, also on error or
// Ctrl-C). The steps, one module each under scripts/bench/routing/:
//  1. load: applies the migrations and bulk-loads one clinic with one follow-up queue, 1,000 clinicians
//     (User + ClinicianPresence, OFFLINE) and 10,000 WAITING tasks, each with its patient and
//     appointment (createMany in chunks, a handful of statements, not 10,000 round trips);
//  2. live-views + drive: opens the live desk view of every clinician (watchDesk, fed by the process's
//     LISTEN connection on `revisit_routing`), as if all 1,000 clinicians had the desk open, and drives
//     clinicians becoming available through the real service code with BENCH_WORKERS concurrent
//     workers (default 32: clinicians acting at the same moment, 3% of the 1,000). One cycle:
//       setPresence(AVAILABLE)  ->  offer visible  ->  acceptOffer  ->  completeTask
//     "Offer visible" is the moment that clinician's desk view yields a state with the new offer, the
//     same value the browser would be sent. No polling, no sleeping. Every clinician runs BENCH_ROUNDS
//     cycles (default 5), so 5,000 assignments are made while the queue stays deep (10,000 -> 5,000).
//  3. measure: CPU, WAL and autovacuum of the drive; db_tps: BENCH_WORKERS concurrent clients doing
//     single-row UPDATE transactions (autocommit, each its own row of a small table) through the same
//     Prisma client for BENCH_TPS_SECONDS (default 5) seconds, right after the routing run; then the
//     reads over history and a waiting patient's status;
//  4. report: progress lines, then one line
//     `RESULT assignments_per_s=<n> offer_p50_ms=<n> offer_p99_ms=<n> db_tps=<n>`.
//
// Definitions (the RESULT line):
//  - assignments_per_s: successful acceptOffer calls (each one moves a task to ASSIGNED) divided by
//    the wall-clock seconds from the first setPresence call to the last acceptOffer returning.
//    The window also contains the completeTask calls and the background sweeper.
//  - offer_p50_ms / offer_p99_ms: per cycle, from just before setPresence(AVAILABLE) is called to
//    the moment the clinician's desk view yields the new offer (nearest rank).
//  - db_tps: completed single-row UPDATE transactions per second, as described in 3.
// Also running, as in every web process: the routing sweeper once a second. Patients' heartbeats are
// not simulated (tasks are loaded with lastSeenAt one hour ahead) and the queue's wrap-up is one hour,
// so only the bench's own setPresence calls make clinicians available. One clinic on purpose: one big
// clinic is the hardest case for offer latency. docs/routing-benchmark.md has the figures, the curve
// over 8 to 64 workers (why 32) and every setting; scripts/bench/routing/config.ts checks them.
import { performance } from 'node:perf_hooks';
import { loadRoutingApp } from './bench/routing/app';
import { BenchConfigError, parseBenchConfig, type BenchConfig } from './bench/routing/config';
import { checkRun, drive, startSweeper, warmUp } from './bench/routing/drive';
import { openLiveViews } from './bench/routing/live-views';
import { loadClinic } from './bench/routing/load';
import { log } from './bench/routing/log';
import {
  measureDbTps,
  measureHistoryReads,
  measureWaitingStatus,
  resetStatements,
  startDriveCosts,
  startProfiler,
  statementCosts,
} from './bench/routing/measure';
import { removeBenchData, startBenchPostgres, stopBenchPostgres } from './bench/routing/postgres';
import { printResult, reportDbTps, reportDrive, reportHistoryReads, reportStatements, reportWaitingStatus } from './bench/routing/report';

/** The settings, or a list of what is wrong with them before anything starts. */
function readConfig(): BenchConfig {
  try {
    return parseBenchConfig(process.env);
  } catch (error) {
    if (!(error instanceof BenchConfigError)) throw error;
    console.error(`[bench] ${error.message}`);
    process.exit(1);
  }
}
const config = readConfig();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void stopBenchPostgres().finally(() => process.exit(130));
  });
}

async function main(config: BenchConfig) {
  const postgres = await startBenchPostgres(config);
  const app = await loadRoutingApp(postgres.url);
  const loaded = await loadClinic(app, config);
  const views = await openLiveViews(app, loaded, config.waitingRooms);
  await warmUp(app, config.workers);
  if (config.statements) await resetStatements(app.db);

  const sweeper = startSweeper(app, config.sweep);
  const cycles = config.rounds * config.clinicians;
  log(`driving ${cycles} cycles (${config.rounds} per clinician) with ${config.workers} concurrent workers${config.sweep ? ' and the sweeper' : ''}`);
  const viewsAtStart = views.deskViews();
  const profiler = config.profile ? await startProfiler() : null;
  const startedAt = performance.now();
  const costs = await startDriveCosts(app, postgres.pid, views);
  const run = await drive(app, config, loaded, views, startedAt).finally(async () => {
    sweeper.stop();
    if (profiler) log(`CPU profile of the drive written to ${await profiler.stop(config.profile!)}`);
  });
  reportDrive(run, await costs.finish(), { deskViews: views.deskViews() - viewsAtStart, rooms: views.rooms, sweeps: sweeper.sweeps() });
  if (config.statements) reportStatements(await statementCosts(app.db), run.assigned);
  await checkRun(app, run.assigned);
  await views.close();

  const tps = await measureDbTps(app, config.workers, config.tpsSeconds);
  reportDbTps(tps, config.workers, config.tpsSeconds, run.assigned / run.seconds);
  if (config.history > 0) reportHistoryReads(config.history, await measureHistoryReads(app, config, loaded));
  reportWaitingStatus(config.tasks - run.assigned, await measureWaitingStatus(app, loaded));

  await app.db.$disconnect();
  printResult(run, tps);
}

let exitCode = 0;
try {
  await main(config);
} catch (error) {
  exitCode = 1;
  console.error(`[bench] failed: ${(error as Error).stack ?? error}`);
} finally {
  await stopBenchPostgres();
  removeBenchData(config.keep);
}
process.exit(exitCode);
