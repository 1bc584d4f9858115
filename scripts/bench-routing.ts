// `npm run bench:routing`: a benchmark (not a timed test) of the routing engine on a deep queue.
//
// What it does, all in one process against its own embedded PostgreSQL (fresh data directory under
// .data/bench, loopback, a free port; stopped by PID at the end, also on error or Ctrl-C):
//  1. applies the migrations and bulk-loads one clinic with one follow-up queue, 1,000 clinicians
//     (User + ClinicianPresence, OFFLINE) and 10,000 WAITING tasks, each with its patient and
//     appointment (createMany in chunks, a handful of statements, not 10,000 round trips);
//  2. opens the live desk view of every clinician (the desk's tRPC subscription: watchDesk, fed by the
//     process's LISTEN connection on `revisit_routing`), as if all 1,000 clinicians had the desk open,
//     and drives clinicians becoming available through the real service code with BENCH_WORKERS
//     concurrent workers (default 32: clinicians acting at the same moment, 3% of the 1,000). One
//     worker cycle, for one clinician:
//       setPresence(AVAILABLE)  ->  offer visible  ->  acceptOffer  ->  completeTask
//     "Offer visible" is the moment that clinician's desk view yields a state with the new offer, the
//     same value the browser would be sent. No polling, no sleeping.
//     Every clinician runs BENCH_ROUNDS cycles (default 5), so 5,000 assignments are made while
//     the queue stays deep (10,000 -> 5,000 waiting). completeTask (ending the consult at once) is
//     what frees the clinician for the next round.
//  3. measures db_tps: BENCH_WORKERS concurrent clients doing single-row UPDATE transactions
//     (autocommit, each worker its own row of a small table) through the same Prisma client for
//     BENCH_TPS_SECONDS (default 5) seconds, on the same database, right after the routing run.
//
// Definitions (the RESULT line):
//  - assignments_per_s: successful acceptOffer calls (each one moves a task to ASSIGNED) divided by
//    the wall-clock seconds from the first setPresence call to the last acceptOffer returning.
//    The window also contains the completeTask calls and the background sweeper.
//  - offer_p50_ms / offer_p99_ms: per cycle, from just before setPresence(AVAILABLE) is called to
//    the moment the clinician's desk view yields the new offer (nearest rank).
//  - db_tps: completed single-row UPDATE transactions per second, as described in 3.
// Also running, as in every web process: the routing sweeper once a second (offer timeouts,
// abandonment, wrap-up end, a dispatch round). Patients' heartbeats are not simulated, so tasks are
// loaded with lastSeenAt one hour ahead (otherwise the sweeper would abandon them after 30 s), and
// the queue's wrap-up is one hour so that only the bench's own setPresence calls make clinicians
// available. One clinic on purpose: all dispatch rounds of a clinic are serialised by its advisory
// lock, so one big clinic is the hardest case for offer latency.
//
// Why 32 workers: the drive is a closed loop, so its throughput can never exceed workers / cycle time.
// With 8, a cycle's three calls (about 8 ms end to end) capped it near 1,000/s while a fifth of the
// two cores stayed idle: it measured the round trips, not what the routing engine sustains.
// docs/routing-benchmark.md shows the curve over 8 to 64 workers.
// Environment: BENCH_CLINICIANS (1000), BENCH_TASKS (10000), BENCH_WORKERS (32), BENCH_ROUNDS (5),
// BENCH_TPS_SECONDS (5), BENCH_KEEP=1 keeps the data directory, BENCH_SWEEP=0 turns the sweeper off,
// BENCH_WAITING_ROOMS=<n> opens n patients' waiting rooms (spread over the line) during the drive,
// BENCH_HISTORY (200000 finished consults added at the end to time the reads over history; 0 skips),
// BENCH_STATEMENTS=1 prints PostgreSQL's time per statement (pg_stat_statements), BENCH_PROFILE=<file>
// writes this process's CPU profile of the drive, BENCH_PG_LOG=<file> appends PostgreSQL's log to a file
// (with BENCH_PG_SETTINGS="shared_preload_libraries=auto_explain auto_explain.log_min_duration=0
// auto_explain.log_analyze=on auto_explain.sample_rate=0.02": sampled plans of the routing statements).
// Output: progress lines (including CPU used per assignment by this Node process and by PostgreSQL,
// and the load average, since other work on the machine skews every figure), then one line `RESULT assignments_per_s=<n> offer_p50_ms=<n> offer_p99_ms=<n> db_tps=<n>`.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runMigrations, startPostgres } from './lib/postgres.mjs';
import { REPO_ROOT, freePort } from './lib/proc.mjs';
import { seededRandom } from '@/server/testing/random';

const CLINICIANS = intEnv('BENCH_CLINICIANS', 1000);
const TASKS = intEnv('BENCH_TASKS', 10_000);
const WORKERS = intEnv('BENCH_WORKERS', 32);
const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const TPS_SECONDS = intEnv('BENCH_TPS_SECONDS', 5);
const KEEP = process.env.BENCH_KEEP === '1';
const SWEEP = process.env.BENCH_SWEEP !== '0';
/** Loads pg_stat_statements and prints where PostgreSQL spent its time during the drive. */
const STATEMENTS = process.env.BENCH_STATEMENTS === '1';
/** A file to write this process's CPU profile of the drive to (open it in Chrome DevTools). */
const PROFILE = process.env.BENCH_PROFILE || null;
/** Waiting rooms open during the drive (patients spread over the whole line), 0 by default. */
const WAITING_ROOMS = process.env.BENCH_WAITING_ROOMS ? intEnv('BENCH_WAITING_ROOMS', 0) : 0;
/** Finished consults added after the drive, to time the reads over history (0: skip). */
const HISTORY = process.env.BENCH_HISTORY === '0' ? 0 : intEnv('BENCH_HISTORY', 200_000);
const OFFER_WAIT_LIMIT_MS = 30_000;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return value;
}

const log = (line: string) => console.log(`[bench] ${line}`);
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

type Pg = Awaited<ReturnType<typeof startPostgres>>;

let server: Pg | null = null;
let dataDir: string | null = null;

/** Stops our PostgreSQL: its own stop(), then by PID if the postmaster is somehow still alive. */
async function stopPostgres() {
  const running = server;
  server = null;
  if (!running) return;
  await running.stop().catch((error: Error) => log(`stop() failed: ${error.message}`));
  if (running.pid && isAlive(running.pid)) {
    log(`PostgreSQL (pid ${running.pid}) still running, sending SIGTERM`);
    try {
      process.kill(running.pid, 'SIGTERM');
    } catch {}
    const deadline = Date.now() + 10_000;
    while (isAlive(running.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(running.pid)) process.kill(running.pid, 'SIGKILL');
  }
  log(`PostgreSQL (pid ${running.pid}) stopped`);
}

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

const loadLine = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void stopPostgres().finally(() => process.exit(130));
  });
}

async function main() {
  const benchRoot = path.join(REPO_ROOT, '.data', 'bench');
  mkdirSync(benchRoot, { recursive: true });
  dataDir = mkdtempSync(path.join(benchRoot, 'run-'));
  const port = await freePort();
  log(loadLine());
  log(`starting PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(REPO_ROOT, dataDir)})`);
  server = await startPostgres({
    dataDir,
    port,
    database: 'revisit_bench',
    ...(process.env.BENCH_PG_LOG ? { log: (line: string) => appendFileSync(process.env.BENCH_PG_LOG!, line + '\n') } : {}),
    settings: {
      ...(STATEMENTS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } : {}),
      ...Object.fromEntries((process.env.BENCH_PG_SETTINGS ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string])),
    },
  });
  log(`PostgreSQL pid ${server.pid}; applying migrations`);
  await runMigrations(server.url);

  // The Prisma client reads DATABASE_URL when it is first imported.
  process.env.DATABASE_URL = server.url;
  const { db } = await import('@/server/db');
  const service = await import('@/server/routing/routing-service');
  const { averageHandleSeconds, queueLineReadCount, wallboard, waitingStatus, watchDesk, watchWaitingStatus } = await import('@/server/routing/queue-status');
  const { routingListener } = await import('@/server/routing/routing-events');
  const { closeRoutingPool, routingQuery } = await import('@/server/routing/routing-sql');
  const { FOLLOW_UP_QUEUE_SLUG } = await import('@/server/routing/routing-config');
  type Principal = Parameters<typeof service.setPresence>[0];

  // ---------------------------------------------------------------------------------------------
  // Load
  const loadStarted = performance.now();
  // Seeded, so every run loads the same data.
  const rnd = seededRandom(20261124);
  const now = Date.now();
  const clinic = await db.clinic.create({ data: { slug: 'bench', name: 'Bench clinic', timeZone: 'Asia/Shanghai' } });
  const queue = await db.queue.create({
    data: { clinicId: clinic.id, slug: FOLLOW_UP_QUEUE_SLUG, name: 'Follow-up', wrapUpSeconds: 3600 },
  });
  const clinicians = Array.from({ length: CLINICIANS }, (_, i) => ({
    id: `bench-clinician-${pad(i, 5)}`,
    name: `Dr. Bench ${i}`,
    // Every clinician speaks Chinese; three in ten also English.
    skills: rnd() < 0.3 ? ['lang:zh', 'lang:en'] : ['lang:zh'],
  }));
  await db.user.createMany({
    data: clinicians.map((c) => ({
      id: c.id,
      email: `${c.id}@bench.revisit.local`,
      name: c.name,
      role: 'CLINICIAN' as const,
      clinicId: clinic.id,
      passwordHash: 'not-a-password',
    })),
  });
  await db.clinicianPresence.createMany({
    data: clinicians.map((c, i) => ({
      userId: c.id,
      clinicId: clinic.id,
      state: 'OFFLINE' as const,
      skills: c.skills,
      idleSince: new Date(now - 3_600_000 + i * 1000),
    })),
  });

  const CHUNK = 2000;
  const visits = Array.from({ length: TASKS }, (_, i) => {
    const own = clinicians[Math.floor(rnd() * CLINICIANS)]!;
    // Mostly waiting for up to an hour; one in twenty arrived in the last 90 s and is still held for
    // their own doctor (preferredClinicianSeconds = 120).
    const waited = rnd() < 0.05 ? rnd() * 90_000 : 120_000 + rnd() * 3_480_000;
    const p = rnd();
    return {
      n: pad(i, 6),
      clinicianId: own.id,
      enqueuedAt: new Date(now - waited),
      priority: p < 0.01 ? 2 : p < 0.1 ? 1 : 0,
      requiredSkills: rnd() < 0.1 ? ['lang:en'] : ['lang:zh'],
    };
  });
  for (let i = 0; i < TASKS; i += CHUNK) {
    const chunk = visits.slice(i, i + CHUNK);
    await db.patient.createMany({
      data: chunk.map((v) => ({
        id: `bench-patient-${v.n}`,
        clinicId: clinic.id,
        familyName: '测',
        givenName: `试${v.n}`,
        birthDate: new Date('1958-06-01T00:00:00Z'),
        phone: `+86139${pad(Number(v.n), 8)}`,
      })),
    });
    await db.appointment.createMany({
      data: chunk.map((v) => ({
        id: `bench-appointment-${v.n}`,
        clinicId: clinic.id,
        patientId: `bench-patient-${v.n}`,
        clinicianId: v.clinicianId,
        startsAt: v.enqueuedAt,
        status: 'CHECKED_IN' as const,
        reason: 'Blood pressure follow-up',
      })),
    });
    await db.task.createMany({
      data: chunk.map((v) => ({
        id: `bench-task-${v.n}`,
        clinicId: clinic.id,
        queueId: queue.id,
        channel: 'WEB' as const,
        patientId: `bench-patient-${v.n}`,
        appointmentId: `bench-appointment-${v.n}`,
        preferredClinicianId: v.clinicianId,
        priority: v.priority,
        requiredSkills: v.requiredSkills,
        attributes: { reason: 'Blood pressure follow-up', language: 'zh_CN' },
        enqueuedAt: v.enqueuedAt,
        createdAt: v.enqueuedAt,
        lastSeenAt: new Date(now + 3_600_000),
      })),
    });
  }
  await db.$executeRawUnsafe('ANALYZE');
  log(
    `loaded 1 clinic, ${CLINICIANS} clinicians (OFFLINE), ${TASKS} waiting tasks with patients and appointments ` +
      `in ${Math.round(performance.now() - loadStarted)} ms`,
  );

  // ---------------------------------------------------------------------------------------------
  // Every clinician's desk is open: the live view the desk's tRPC subscription serves (watchDesk).
  const principalOf = (c: (typeof clinicians)[number]): Principal => ({
    kind: 'staff',
    id: c.id,
    name: c.name,
    role: 'CLINICIAN',
    clinicId: clinic.id,
  });

  type Desk = { offer: { id: string } | null };
  const desks = clinicians.map(() => ({
    latest: null as Desk | null,
    seen: new Set<string>(),
    waiter: null as ((offer: { id: string }, at: number) => void) | null,
    views: 0,
  }));
  let views = 0;
  const closeDesks = new AbortController();
  // One signal closes every desk here (in the app each subscription has its own).
  setMaxListeners(0, closeDesks.signal);
  const deskLoops = clinicians.map(async (c, i) => {
    const desk = desks[i]!;
    for await (const view of watchDesk(principalOf(c), { idleMs: 60_000, signal: closeDesks.signal })) {
      views++;
      desk.views++;
      desk.latest = view;
      const offer = view.offer;
      if (offer && !desk.seen.has(offer.id) && desk.waiter) {
        desk.seen.add(offer.id);
        const resolve = desk.waiter;
        desk.waiter = null;
        resolve({ id: offer.id }, performance.now());
      }
    }
  });
  const opened = performance.now();
  while (desks.some((d) => d.views === 0)) await new Promise((r) => setTimeout(r, 50));
  log(`opened ${CLINICIANS} desk views in ${Math.round(performance.now() - opened)} ms`);

  // Open waiting rooms: patients spread over the whole line, so some are served during the drive.
  const rooms = WAITING_ROOMS
    ? (await db.task.findMany({ where: { state: 'WAITING' }, orderBy: { enqueuedAt: 'asc' }, select: { patientId: true, appointmentId: true } }))
        .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / WAITING_ROOMS)) === 0)
        .slice(0, WAITING_ROOMS)
    : [];
  const roomViews = rooms.map(() => 0);
  const roomLoops = rooms.map(async (room, i) => {
    const patient: Principal = { kind: 'patient', id: room.patientId!, name: 'Bench patient', clinicId: clinic.id, appointmentId: room.appointmentId! };
    for await (const _status of watchWaitingStatus(patient, { idleMs: 60_000, signal: closeDesks.signal })) roomViews[i]!++;
  });
  if (rooms.length) {
    while (roomViews.some((n) => n === 0)) await new Promise((r) => setTimeout(r, 50));
    log(`opened ${rooms.length} waiting rooms`);
  }

  /** Resolves with the clinician's next new offer and the moment their desk view showed it. */
  function offerVisible(c: number) {
    return new Promise<{ offer: { id: string }; at: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no offer for ${clinicians[c]!.id} within ${OFFER_WAIT_LIMIT_MS / 1000} s`)),
        OFFER_WAIT_LIMIT_MS,
      );
      desks[c]!.waiter = (offer, at) => {
        clearTimeout(timer);
        resolve({ offer, at });
      };
    });
  }

  // Warm the pool and Prisma's query plans so the first cycles do not pay for connecting.
  await Promise.all(Array.from({ length: WORKERS }, () => db.$queryRaw`SELECT 1`));
  await routingQuery({ name: 'bench.warm', text: 'SELECT 1' }, []);
  if (STATEMENTS) {
    await db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.$executeRawUnsafe('SELECT pg_stat_statements_reset()');
  }

  let stopSweeper = () => {};
  let sweeps = 0;
  if (SWEEP) {
    let sweeping = false;
    const timer = setInterval(async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        await service.sweep();
        sweeps++;
      } catch (error) {
        log(`sweep failed: ${(error as Error).message}`);
      } finally {
        sweeping = false;
      }
    }, 1000);
    stopSweeper = () => clearInterval(timer);
  }

  // ---------------------------------------------------------------------------------------------
  // Drive
  const jobs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) for (let c = 0; c < CLINICIANS; c++) jobs.push(c);
  const total = jobs.length;
  if (total > TASKS) throw new Error(`BENCH_ROUNDS x BENCH_CLINICIANS (${total}) exceeds BENCH_TASKS (${TASKS})`);
  const latencies: number[] = [];
  const spent = { setPresence: 0, accept: 0, complete: 0 };
  const busy = new Set<number>();
  let next = 0;
  let assigned = 0;
  let lastAcceptAt = 0;
  let failure: Error | null = null;
  log(`driving ${total} cycles (${ROUNDS} per clinician) with ${WORKERS} concurrent workers${SWEEP ? ' and the sweeper' : ''}`);

  const viewsAtStart = views;
  const profiler = PROFILE ? await startProfiler() : null;
  const driveStarted = performance.now();
  const nodeCpuAtStart = process.cpuUsage();
  const pgCpuAtStart = postgresCpuSeconds(server.pid);
  const walAtStart = await walCounters(db);
  const maintenanceAtStart = await maintenanceCounts(db);
  const batchesAtStart = service.groupedStatementStats();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const lineReadsAtStart = queueLineReadCount();
  const roomViewsAtStart = roomViews.reduce((a, b) => a + b, 0);
  const progress = setInterval(() => {
    const seconds = (performance.now() - driveStarted) / 1000;
    log(`  ${assigned}/${total} assigned, ${Math.round(assigned / seconds)}/s so far, ${views} desk views sent`);
  }, 2000);

  async function worker() {
    while (!failure && next < total) {
      const c = jobs[next++]!;
      if (busy.has(c)) throw new Error(`clinician ${c} is already in a cycle (too few clinicians for ${WORKERS} workers)`);
      busy.add(c);
      const principal = principalOf(clinicians[c]!);
      const visible = offerVisible(c);
      const t0 = performance.now();
      await service.setPresence(principal, 'AVAILABLE');
      const t1 = performance.now();
      const { offer, at } = await visible;
      latencies.push(at - t0);
      const t2 = performance.now();
      const accepted = await service.acceptOffer(principal, offer.id);
      const t3 = performance.now();
      assigned++;
      lastAcceptAt = t3;
      await service.completeTask(principal, accepted.appointmentId!);
      spent.setPresence += t1 - t0;
      spent.accept += t3 - t2;
      spent.complete += performance.now() - t3;
      busy.delete(c);
    }
  }
  try {
    await Promise.all(
      Array.from({ length: WORKERS }, () =>
        worker().catch((error: Error) => {
          failure ??= error;
        }),
      ),
    );
  } finally {
    clearInterval(progress);
    stopSweeper();
  }
  if (profiler) log(`CPU profile of the drive written to ${await profiler.stop(PROFILE!)}`);
  if (failure) throw failure;
  const nodeCpu = process.cpuUsage(nodeCpuAtStart);
  loopDelay.disable();
  const pgCpuAtEnd = postgresCpuSeconds(server.pid);
  const walAtEnd = await walCounters(db);
  const maintenanceAtEnd = await maintenanceCounts(db);
  const driveSeconds = (lastAcceptAt - driveStarted) / 1000;
  const assignmentsPerSecond = assigned / driveSeconds;
  log(
    `event loop delay during the drive: p50 ${round1(loopDelay.percentile(50) / 1e6)} ms, p99 ${round1(loopDelay.percentile(99) / 1e6)} ms, ` +
      `max ${round1(loopDelay.max / 1e6)} ms (how long a ready callback, such as an offer's notification, can wait)`,
  );
  if (rooms.length) {
    log(
      `${rooms.length} waiting rooms: ${roomViews.reduce((a, b) => a + b, 0) - roomViewsAtStart} statuses sent, ` +
        `${queueLineReadCount() - lineReadsAtStart} reads of the queue's line during the drive`,
    );
  }
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  log(
    `${assigned} assignments in ${driveSeconds.toFixed(2)} s; offer latency p50 ${p50.toFixed(1)} ms, ` +
      `p90 ${percentile(latencies, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
      `${views - viewsAtStart} desk views sent, ${sweeps} sweeps`,
  );
  const nodeCpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
  const pgCpuMs = pgCpuAtStart !== null && pgCpuAtEnd !== null ? (pgCpuAtEnd - pgCpuAtStart) * 1000 : NaN;
  log(
    `CPU per assignment: this Node process ${(nodeCpuMs / assigned).toFixed(2)} ms, PostgreSQL ${(pgCpuMs / assigned).toFixed(2)} ms ` +
      `(Node busy ${Math.round(nodeCpuMs / 10 / driveSeconds)}% of one core, PostgreSQL ${Math.round(pgCpuMs / 10 / driveSeconds)}%); ${loadLine()}`,
  );
  log(
    `mean time per call: setPresence (with its dispatch round) ${(spent.setPresence / assigned).toFixed(1)} ms, ` +
      `acceptOffer ${(spent.accept / assigned).toFixed(1)} ms, completeTask ${(spent.complete / assigned).toFixed(1)} ms`,
  );

  const wal = (key: keyof WalCounters) => (walAtEnd[key] - walAtStart[key]) / assigned;
  log(
    `WAL per assignment: ${wal('records').toFixed(1)} records, ${wal('fpi').toFixed(2)} full-page images, ` +
      `${Math.round(wal('bytes'))} bytes, ${wal('syncs').toFixed(2)} flushes to disk; ${wal('commits').toFixed(2)} commits`,
  );
  log(
    `autovacuum during the drive: ${[...maintenanceAtEnd]
      .map(([table, end]) => {
        const start = maintenanceAtStart.get(table) ?? { vacuums: 0, analyzes: 0 };
        return `${table} vacuumed ${end.vacuums - start.vacuums}, analyzed ${end.analyzes - start.analyzes}`;
      })
      .join('; ')}`,
  );
  const batches = service.groupedStatementStats();
  const perStatement = (kind: keyof typeof batches) =>
    ((batches[kind].calls - batchesAtStart[kind].calls) / Math.max(1, batches[kind].statements - batchesAtStart[kind].statements)).toFixed(2);
  log(
    `calls per statement (grouped): become available ${perStatement('becomeAvailable')}, accept ${perStatement('accept')}, ` +
      `complete ${perStatement('complete')}`,
  );
  if (STATEMENTS) await printStatements(db, assigned);

  // Sanity: the run did what it claims and broke no invariant.
  const [check] = await db.$queryRaw<{ completed: bigint; waiting: bigint; pending: bigint; accepted: bigint; doubled: bigint }[]>`
    SELECT (SELECT count(*) FROM "Task" WHERE state = 'COMPLETED') AS completed,
           (SELECT count(*) FROM "Task" WHERE state = 'WAITING') AS waiting,
           (SELECT count(*) FROM "Offer" WHERE state = 'PENDING') AS pending,
           (SELECT count(*) FROM "Offer" WHERE state = 'ACCEPTED') AS accepted,
           (SELECT count(*) FROM (SELECT "taskId" FROM "Offer" WHERE state = 'ACCEPTED' GROUP BY "taskId" HAVING count(*) > 1) x) AS doubled`;
  log(`check: ${check!.completed} tasks completed, ${check!.accepted} offers accepted, ${check!.waiting} still waiting, ${check!.pending} offers pending, ${check!.doubled} tasks accepted twice`);
  if (Number(check!.completed) !== assigned || Number(check!.accepted) !== assigned || Number(check!.doubled) !== 0) {
    throw new Error('the database does not agree with the counted assignments');
  }

  closeDesks.abort();
  await Promise.all([...deskLoops, ...roomLoops]);
  await routingListener().close();

  // ---------------------------------------------------------------------------------------------
  // db_tps: single-row UPDATE transactions, same client, same concurrency.
  await db.$executeRawUnsafe('CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, at timestamptz)');
  await db.$executeRawUnsafe(`INSERT INTO bench_counter (id) SELECT generate_series(1, ${WORKERS})`);
  let updates = 0;
  const tpsStarted = performance.now();
  const tpsUntil = tpsStarted + TPS_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, i) => {
      while (performance.now() < tpsUntil) {
        await db.$executeRaw`UPDATE bench_counter SET n = n + 1, at = now() WHERE id = ${i + 1}`;
        updates++;
      }
    }),
  );
  const dbTps = updates / ((performance.now() - tpsStarted) / 1000);
  log(`${updates} single-row UPDATE transactions in ${TPS_SECONDS} s with ${WORKERS} workers: ${Math.round(dbTps)}/s`);
  log(`ratio assignments_per_s / db_tps = ${(assignmentsPerSecond / dbTps).toFixed(4)}`);
  // The same through the routing code's own pool (node-postgres, no ORM), for comparison.
  let rawUpdates = 0;
  const rawStarted = performance.now();
  const rawUntil = rawStarted + TPS_SECONDS * 1000;
  const bump = { name: 'bench.bump', text: 'UPDATE bench_counter SET n = n + 1, at = now() WHERE id = $1' };
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, i) => {
      while (performance.now() < rawUntil) {
        await routingQuery(bump, [i + 1]);
        rawUpdates++;
      }
    }),
  );
  log(`the same through node-postgres without the ORM: ${Math.round(rawUpdates / ((performance.now() - rawStarted) / 1000))}/s`);
  await closeRoutingPool();

  // ---------------------------------------------------------------------------------------------
  // Reads outside the drive, one after another.
  const timeIt = async (times: number, read: () => Promise<unknown>) => {
    const took: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      await read();
      took.push(performance.now() - started);
    }
    const cpu = process.cpuUsage(cpuBefore);
    took.sort((a, b) => a - b);
    return `p50 ${round1(percentile(took, 50))} ms, max ${round1(took.at(-1)!)} ms, Node CPU ${round1((cpu.user + cpu.system) / 1000 / times)} ms per read`;
  };
  // History: the reads over finished consults, with two months of a busy clinic behind them: the
  // wallboard's day and the average handling time behind every estimated wait (read with each
  // refresh of a queue's line).
  if (HISTORY > 0) {
    const spacingSeconds = (60 * 86_400) / HISTORY;
    await db.$executeRawUnsafe(
      `INSERT INTO "Task" (id, "clinicId", "queueId", channel, state, "enqueuedAt", "createdAt", "assignedAt", "assignedClinicianId", "completedAt", "endReason", "lastSeenAt")
       SELECT 'bench-history-' || g, $1, $2, 'WEB', 'COMPLETED', at, at, at + interval '2 minutes', $3, at + interval '12 minutes', 'completed', at
       FROM generate_series(1, ${HISTORY}) g, LATERAL (SELECT (now() AT TIME ZONE 'UTC') - make_interval(secs => g * ${spacingSeconds}) AS at) t`,
      clinic.id,
      queue.id,
      clinicians[0]!.id,
    );
    await db.$executeRawUnsafe('ANALYZE "Task"');
    const admin: Principal = { kind: 'staff', id: 'bench-admin', name: 'Bench admin', role: 'ADMIN', clinicId: clinic.id };
    const board = await timeIt(20, () => wallboard(admin));
    const handle = await timeIt(50, () => averageHandleSeconds(queue.id));
    log(`history: ${HISTORY} finished consults over 60 days; wallboard ${board}; average handling time ${handle}`);
  }
  // A waiting patient's status: their place in the numbered line of every live task of the queue
  // (what each refresh of the waiting rooms reads once per process, shared by all of them).
  const last = await db.task.findFirstOrThrow({ where: { state: 'WAITING' }, orderBy: { enqueuedAt: 'desc' } });
  const patient: Principal = { kind: 'patient', id: last.patientId!, name: 'Bench patient', clinicId: clinic.id, appointmentId: last.appointmentId! };
  log(`a waiting patient's status with ${TASKS - assigned} waiting: ${await timeIt(20, () => waitingStatus(patient))}`);


  await db.$disconnect();
  console.log(
    `RESULT assignments_per_s=${Math.round(assignmentsPerSecond)} offer_p50_ms=${round1(p50)} offer_p99_ms=${round1(p99)} db_tps=${Math.round(dbTps)}`,
  );
}

/** The V8 sampling profiler of this process, through the inspector protocol. */
async function startProfiler() {
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

type WalCounters = { records: number; fpi: number; bytes: number; syncs: number; commits: number };

/** The server's WAL counters (pg_stat_wal, and pg_stat_io for the flushes) and its commits so far. */
async function walCounters(db: (typeof import('@/server/db'))['db']): Promise<WalCounters> {
  const [row] = await db.$queryRawUnsafe<{ records: bigint; fpi: bigint; bytes: string; syncs: bigint | null; commits: bigint }[]>(`
    SELECT w.wal_records AS records, w.wal_fpi AS fpi, w.wal_bytes::text AS bytes,
           (SELECT sum(fsyncs) FROM pg_stat_io WHERE object = 'wal')::bigint AS syncs,
           (SELECT sum(xact_commit) FROM pg_stat_database)::bigint AS commits
    FROM pg_stat_wal w`);
  return { records: Number(row!.records), fpi: Number(row!.fpi), bytes: Number(row!.bytes), syncs: Number(row!.syncs ?? 0), commits: Number(row!.commits) };
}

/** Autovacuum's vacuums and analyzes so far of the tables routing writes. */
async function maintenanceCounts(db: (typeof import('@/server/db'))['db']) {
  const rows = await db.$queryRawUnsafe<{ table: string; vacuums: bigint; analyzes: bigint }[]>(`
    SELECT relname::text AS table, autovacuum_count AS vacuums, autoanalyze_count AS analyzes FROM pg_stat_user_tables
    WHERE relname IN ('Task', 'Offer', 'ClinicianPresence', 'Appointment', 'AuditEvent') ORDER BY relname`);
  return new Map(rows.map((r) => [r.table, { vacuums: Number(r.vacuums), analyzes: Number(r.analyzes) }]));
}

/** The statements PostgreSQL spent most time on (planning + execution), per assignment. */
async function printStatements(db: (typeof import('@/server/db'))['db'], assigned: number) {
  const rows = await db.$queryRawUnsafe<{ query: string; calls: bigint; plan: number; exec: number }[]>(`
    SELECT regexp_replace(left(query, 400), '\\s+', ' ', 'g') AS query, calls,
           total_plan_time AS plan, total_exec_time AS exec
    FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 15`);
  const all = await db.$queryRawUnsafe<{ plan: number; exec: number; calls: bigint }[]>(
    'SELECT sum(total_plan_time) AS plan, sum(total_exec_time) AS exec, sum(calls) AS calls FROM pg_stat_statements',
  );
  const per = (ms: number) => (ms / assigned).toFixed(3);
  log(`statements: ${(Number(all[0]!.calls) / assigned).toFixed(1)} per assignment, planning ${per(all[0]!.plan)} ms + execution ${per(all[0]!.exec)} ms per assignment`);
  for (const r of rows) {
    log(`  ${per(r.plan)} + ${per(r.exec)} ms/assignment, ${(Number(r.calls) / assigned).toFixed(2)} calls: ${r.query.trim().slice(0, 140)}`);
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(`[bench] failed: ${(error as Error).stack ?? error}`);
} finally {
  await stopPostgres();
  if (dataDir && !KEEP) rmSync(dataDir, { recursive: true, force: true });
  else if (dataDir) log(`kept ${dataDir}`);
}
process.exit(exitCode);
