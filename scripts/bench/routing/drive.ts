// Drive: clinicians becoming available through the real service code, BENCH_WORKERS at the same
// moment, in a closed loop. One cycle, for one clinician:
//   setPresence(AVAILABLE)  ->  offer visible on their desk  ->  acceptOffer  ->  completeTask
// completeTask (ending the consult at once) is what frees the clinician for their next cycle.
import { performance } from 'node:perf_hooks';
import type { RoutingApp } from './app';
import type { BenchConfig } from './config';
import type { LiveViews } from './live-views';
import type { LoadedClinic } from './load';
import { log } from './log';

/** The routing sweeper once a second, as in every web process (offer timeouts, abandonment, wrap-up end, a dispatch round). */
export function startSweeper(app: RoutingApp, enabled: boolean) {
  let sweeps = 0;
  if (!enabled) return { sweeps: () => sweeps, stop: () => {} };
  let sweeping = false;
  const timer = setInterval(async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      await app.sweep();
      sweeps++;
    } catch (error) {
      log(`sweep failed: ${(error as Error).message}`);
    } finally {
      sweeping = false;
    }
  }, 1000);
  return { sweeps: () => sweeps, stop: () => clearInterval(timer) };
}

/** Warms the pools and Prisma's query plans so the first cycles do not pay for connecting. */
export async function warmUp(app: RoutingApp, workers: number) {
  await Promise.all(Array.from({ length: workers }, () => app.db.$queryRaw`SELECT 1`));
  await app.routingQuery({ name: 'bench.warm', text: 'SELECT 1' }, []);
}

export type DriveRun = {
  assigned: number;
  /** Per cycle, ms from just before setPresence to the desk view showing the offer; ascending. */
  latencies: number[];
  /** From `startedAt` to the last acceptOffer returning. */
  seconds: number;
  /** Mean ms per call. */
  meanCall: { setPresence: number; accept: number; complete: number };
};

/** Every clinician runs `config.rounds` cycles; `startedAt` (performance.now()) starts the measured window. */
export async function drive(app: RoutingApp, config: BenchConfig, loaded: LoadedClinic, views: LiveViews, startedAt: number): Promise<DriveRun> {
  const { clinicians, principalOf } = loaded;
  const jobs: number[] = [];
  for (let r = 0; r < config.rounds; r++) for (let c = 0; c < clinicians.length; c++) jobs.push(c);
  const total = jobs.length;
  const latencies: number[] = [];
  const spent = { setPresence: 0, accept: 0, complete: 0 };
  const busy = new Set<number>();
  let next = 0;
  let assigned = 0;
  let lastAcceptAt = 0;
  let failure: Error | null = null;
  const progress = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    log(`  ${assigned}/${total} assigned, ${Math.round(assigned / seconds)}/s so far, ${views.deskViews()} desk views sent`);
  }, 2000);

  async function worker() {
    while (!failure && next < total) {
      const c = jobs[next++]!;
      if (busy.has(c)) throw new Error(`clinician ${c} is already in a cycle (too few clinicians for ${config.workers} workers)`);
      busy.add(c);
      const principal = principalOf(clinicians[c]!);
      const visible = views.offerVisible(c);
      const t0 = performance.now();
      await app.setPresence(principal, 'AVAILABLE');
      const t1 = performance.now();
      const { offer, at } = await visible;
      latencies.push(at - t0);
      const t2 = performance.now();
      const accepted = await app.acceptOffer(principal, offer.id);
      const t3 = performance.now();
      assigned++;
      lastAcceptAt = t3;
      await app.completeTask(principal, accepted.appointmentId!);
      spent.setPresence += t1 - t0;
      spent.accept += t3 - t2;
      spent.complete += performance.now() - t3;
      busy.delete(c);
    }
  }
  try {
    await Promise.all(
      Array.from({ length: config.workers }, () =>
        worker().catch((error: Error) => {
          failure ??= error;
        }),
      ),
    );
  } finally {
    clearInterval(progress);
  }
  if (failure) throw failure;
  latencies.sort((a, b) => a - b);
  return {
    assigned,
    latencies,
    seconds: (lastAcceptAt - startedAt) / 1000,
    meanCall: { setPresence: spent.setPresence / assigned, accept: spent.accept / assigned, complete: spent.complete / assigned },
  };
}

export type RunCheck = { completed: number; waiting: number; pending: number; accepted: number; doubled: number };

/** Sanity: the run did what it claims and broke no invariant (throws if the database disagrees). */
export async function checkRun(app: RoutingApp, assigned: number): Promise<RunCheck> {
  const [row] = await app.db.$queryRaw<{ completed: bigint; waiting: bigint; pending: bigint; accepted: bigint; doubled: bigint }[]>`
    SELECT (SELECT count(*) FROM "Task" WHERE state = 'COMPLETED') AS completed,
           (SELECT count(*) FROM "Task" WHERE state = 'WAITING') AS waiting,
           (SELECT count(*) FROM "Offer" WHERE state = 'PENDING') AS pending,
           (SELECT count(*) FROM "Offer" WHERE state = 'ACCEPTED') AS accepted,
           (SELECT count(*) FROM (SELECT "taskId" FROM "Offer" WHERE state = 'ACCEPTED' GROUP BY "taskId" HAVING count(*) > 1) x) AS doubled`;
  const check = {
    completed: Number(row!.completed),
    waiting: Number(row!.waiting),
    pending: Number(row!.pending),
    accepted: Number(row!.accepted),
    doubled: Number(row!.doubled),
  };
  log(
    `check: ${check.completed} tasks completed, ${check.accepted} offers accepted, ${check.waiting} still waiting, ${check.pending} offers pending, ${check.doubled} tasks accepted twice`,
  );
  if (check.completed !== assigned || check.accepted !== assigned || check.doubled !== 0) {
    throw new Error('the database does not agree with the counted assignments');
  }
  return check;
}
