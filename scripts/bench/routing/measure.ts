// Measure: what the drive cost (CPU of this process and of PostgreSQL, the event loop, WAL, autovacuum,
// grouped statements), db_tps, and the reads timed after the drive.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Db, RoutingApp } from './app';
import type { BenchConfig } from './config';
import type { LiveViews } from './live-views';
import { waitingPatientOf, type LoadedClinic } from './load';

/** Nearest rank; `sorted` ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const loadLine = () =>
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${os.availableParallelism()} cores`;

/**
 * CPU seconds used so far by the PostgreSQL server: the postmaster, its live children (backends,
 * walwriter, ...) and the children it already reaped. Linux /proc only; null elsewhere.
 */
function postgresCpuSeconds(postmasterPid: number): number | null {
  const TICKS_PER_SECOND = 100;
  const fields = (pid: string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const own = fields(String(postmasterPid));
  if (!own) return null;
  // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = fields(entry);
    if (f && Number(f[1]) === postmasterPid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

export type WalCounters = { records: number; fpi: number; bytes: number; syncs: number; commits: number };

/** The server's WAL counters (pg_stat_wal, and pg_stat_io for the flushes) and its commits so far. */
async function walCounters(db: Db): Promise<WalCounters> {
  const [row] = await db.$queryRawUnsafe<{ records: bigint; fpi: bigint; bytes: string; syncs: bigint | null; commits: bigint }[]>(`
    SELECT w.wal_records AS records, w.wal_fpi AS fpi, w.wal_bytes::text AS bytes,
           (SELECT sum(fsyncs) FROM pg_stat_io WHERE object = 'wal')::bigint AS syncs,
           (SELECT sum(xact_commit) FROM pg_stat_database)::bigint AS commits
    FROM pg_stat_wal w`);
  return { records: Number(row!.records), fpi: Number(row!.fpi), bytes: Number(row!.bytes), syncs: Number(row!.syncs ?? 0), commits: Number(row!.commits) };
}

type Maintenance = Map<string, { vacuums: number; analyzes: number }>;

/** Autovacuum's vacuums and analyzes so far of the tables routing writes. */
async function maintenanceCounts(db: Db): Promise<Maintenance> {
  const rows = await db.$queryRawUnsafe<{ table: string; vacuums: bigint; analyzes: bigint }[]>(`
    SELECT relname::text AS table, autovacuum_count AS vacuums, autoanalyze_count AS analyzes FROM pg_stat_user_tables
    WHERE relname IN ('Task', 'Offer', 'ClinicianPresence', 'Appointment', 'AuditEvent') ORDER BY relname`);
  return new Map(rows.map((r) => [r.table, { vacuums: Number(r.vacuums), analyzes: Number(r.analyzes) }]));
}

export type DriveCosts = {
  nodeCpuMs: number;
  /** NaN where /proc is not there. */
  pgCpuMs: number;
  /** Event loop delay during the drive, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  wal: WalCounters;
  /** Per table routing writes. */
  autovacuum: { table: string; vacuums: number; analyzes: number }[];
  /** Requests per statement of each grouped write. */
  perStatement: { becomeAvailable: number; accept: number; complete: number };
  queueLineReads: number;
  roomStatuses: number;
};

/** Starts the counters of the drive; `finish()` returns what changed since. */
export async function startDriveCosts(app: RoutingApp, postgresPid: number, views: LiveViews) {
  const nodeCpuAtStart = process.cpuUsage();
  const pgCpuAtStart = postgresCpuSeconds(postgresPid);
  const walAtStart = await walCounters(app.db);
  const maintenanceAtStart = await maintenanceCounts(app.db);
  const batchesAtStart = app.groupedStatementStats();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const lineReadsAtStart = app.queueLineReadCount();
  const roomStatusesAtStart = views.roomStatuses();
  return {
    async finish(): Promise<DriveCosts> {
      const nodeCpu = process.cpuUsage(nodeCpuAtStart);
      loopDelay.disable();
      const pgCpuAtEnd = postgresCpuSeconds(postgresPid);
      const walAtEnd = await walCounters(app.db);
      const maintenanceAtEnd = await maintenanceCounts(app.db);
      const batches = app.groupedStatementStats();
      const perStatement = (kind: keyof typeof batches) =>
        (batches[kind].calls - batchesAtStart[kind].calls) / Math.max(1, batches[kind].statements - batchesAtStart[kind].statements);
      const walDelta = (key: keyof WalCounters) => walAtEnd[key] - walAtStart[key];
      return {
        nodeCpuMs: (nodeCpu.user + nodeCpu.system) / 1000,
        pgCpuMs: pgCpuAtStart !== null && pgCpuAtEnd !== null ? (pgCpuAtEnd - pgCpuAtStart) * 1000 : NaN,
        loopDelay: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
        wal: { records: walDelta('records'), fpi: walDelta('fpi'), bytes: walDelta('bytes'), syncs: walDelta('syncs'), commits: walDelta('commits') },
        autovacuum: [...maintenanceAtEnd].map(([table, end]) => {
          const start = maintenanceAtStart.get(table) ?? { vacuums: 0, analyzes: 0 };
          return { table, vacuums: end.vacuums - start.vacuums, analyzes: end.analyzes - start.analyzes };
        }),
        perStatement: { becomeAvailable: perStatement('becomeAvailable'), accept: perStatement('accept'), complete: perStatement('complete') },
        queueLineReads: app.queueLineReadCount() - lineReadsAtStart,
        roomStatuses: views.roomStatuses() - roomStatusesAtStart,
      };
    },
  };
}

/** The V8 sampling profiler of this process, through the inspector protocol. */
export async function startProfiler() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      return path.resolve(file);
    },
  };
}

/** Loads pg_stat_statements' counters from zero, just before the drive. */
export async function resetStatements(db: Db) {
  await db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.$executeRawUnsafe('SELECT pg_stat_statements_reset()');
}

export type StatementCosts = {
  all: { plan: number; exec: number; calls: number };
  top: { query: string; calls: number; plan: number; exec: number }[];
};

/** The statements PostgreSQL spent most time on (planning + execution), ms in all. */
export async function statementCosts(db: Db): Promise<StatementCosts> {
  const rows = await db.$queryRawUnsafe<{ query: string; calls: bigint; plan: number; exec: number }[]>(`
    SELECT regexp_replace(left(query, 400), '\\s+', ' ', 'g') AS query, calls,
           total_plan_time AS plan, total_exec_time AS exec
    FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 15`);
  const [all] = await db.$queryRawUnsafe<{ plan: number; exec: number; calls: bigint }[]>(
    'SELECT sum(total_plan_time) AS plan, sum(total_exec_time) AS exec, sum(calls) AS calls FROM pg_stat_statements',
  );
  return {
    all: { plan: all!.plan, exec: all!.exec, calls: Number(all!.calls) },
    top: rows.map((r) => ({ query: r.query, calls: Number(r.calls), plan: r.plan, exec: r.exec })),
  };
}

export type DbTps = { updates: number; perSecond: number; rawPerSecond: number };

/**
 * db_tps: `workers` concurrent clients doing single-row UPDATE transactions (autocommit, each its own
 * row of a small table) through the Prisma client for `seconds`; then the same through the routing
 * code's own pool (node-postgres, no ORM), for comparison. Closes the routing pool.
 */
export async function measureDbTps(app: RoutingApp, workers: number, seconds: number): Promise<DbTps> {
  const { db } = app;
  await db.$executeRawUnsafe('CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, at timestamptz)');
  await db.$executeRawUnsafe(`INSERT INTO bench_counter (id) SELECT generate_series(1, ${workers})`);
  let updates = 0;
  const tpsStarted = performance.now();
  const tpsUntil = tpsStarted + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      while (performance.now() < tpsUntil) {
        await db.$executeRaw`UPDATE bench_counter SET n = n + 1, at = now() WHERE id = ${i + 1}`;
        updates++;
      }
    }),
  );
  const perSecond = updates / ((performance.now() - tpsStarted) / 1000);
  let rawUpdates = 0;
  const rawStarted = performance.now();
  const rawUntil = rawStarted + seconds * 1000;
  const bump = { name: 'bench.bump', text: 'UPDATE bench_counter SET n = n + 1, at = now() WHERE id = $1' };
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      while (performance.now() < rawUntil) {
        await app.routingQuery(bump, [i + 1]);
        rawUpdates++;
      }
    }),
  );
  const rawPerSecond = rawUpdates / ((performance.now() - rawStarted) / 1000);
  await app.closeRoutingPool();
  return { updates, perSecond, rawPerSecond };
}

export type ReadTimes = { p50: number; max: number; nodeCpuPerRead: number };

/** `times` reads one after another. */
async function timeReads(times: number, read: () => Promise<unknown>): Promise<ReadTimes> {
  const took: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await read();
    took.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  took.sort((a, b) => a - b);
  return { p50: percentile(took, 50), max: took.at(-1)!, nodeCpuPerRead: (cpu.user + cpu.system) / 1000 / times };
}

/**
 * The reads over finished consults, with two months of a busy clinic behind them (`history` consults
 * added now): the wallboard's day and the average handling time behind every estimated wait (read
 * with each refresh of a queue's line).
 */
export async function measureHistoryReads(app: RoutingApp, config: BenchConfig, loaded: LoadedClinic) {
  const { db } = app;
  const spacingSeconds = (60 * 86_400) / config.history;
  await db.$executeRawUnsafe(
    `INSERT INTO "Task" (id, "clinicId", "queueId", channel, state, "enqueuedAt", "createdAt", "assignedAt", "assignedClinicianId", "completedAt", "endReason", "lastSeenAt")
     SELECT 'bench-history-' || g, $1, $2, 'WEB', 'COMPLETED', at, at, at + interval '2 minutes', $3, at + interval '12 minutes', 'completed', at
     FROM generate_series(1, ${config.history}) g, LATERAL (SELECT (now() AT TIME ZONE 'UTC') - make_interval(secs => g * ${spacingSeconds}) AS at) t`,
    loaded.clinic.id,
    loaded.queue.id,
    loaded.clinicians[0]!.id,
  );
  await db.$executeRawUnsafe('ANALYZE "Task"');
  const admin = { kind: 'staff', id: 'bench-admin', name: 'Bench admin', role: 'ADMIN', clinicId: loaded.clinic.id } as const;
  const wallboard = await timeReads(20, () => app.wallboard(admin));
  const handlingTime = await timeReads(50, () => app.averageHandleSeconds(loaded.queue.id));
  return { wallboard, handlingTime };
}

/**
 * A waiting patient's status: their place in the numbered line of every live task of the queue (what
 * each refresh of the waiting rooms reads once per process, shared by all of them).
 */
export async function measureWaitingStatus(app: RoutingApp, loaded: LoadedClinic): Promise<ReadTimes> {
  const last = await app.db.task.findFirstOrThrow({ where: { state: 'WAITING' }, orderBy: { enqueuedAt: 'desc' } });
  const patient = waitingPatientOf(last, loaded.clinic.id);
  return timeReads(20, () => app.waitingStatus(patient));
}
