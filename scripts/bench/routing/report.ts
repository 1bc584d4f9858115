// Report: the progress lines and, last, the one RESULT line that runs are compared by.
import type { DriveRun } from './drive';
import { log } from './log';
import { loadLine, percentile, type DbTps, type DriveCosts, type ReadTimes, type StatementCosts } from './measure';

const round1 = (n: number) => Math.round(n * 10) / 10;

/** What the drive did and cost, per assignment where that is what compares across machines. */
export function reportDrive(run: DriveRun, costs: DriveCosts, live: { deskViews: number; rooms: number; sweeps: number }) {
  const { assigned, latencies, seconds } = run;
  log(
    `event loop delay during the drive: p50 ${round1(costs.loopDelay.p50)} ms, p99 ${round1(costs.loopDelay.p99)} ms, ` +
      `max ${round1(costs.loopDelay.max)} ms (how long a ready callback, such as an offer's notification, can wait)`,
  );
  if (live.rooms) {
    log(`${live.rooms} waiting rooms: ${costs.roomStatuses} statuses sent, ${costs.queueLineReads} reads of the queue's line during the drive`);
  }
  log(
    `${assigned} assignments in ${seconds.toFixed(2)} s; offer latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p90 ${percentile(latencies, 90).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
      `${live.deskViews} desk views sent, ${live.sweeps} sweeps`,
  );
  log(
    `CPU per assignment: this Node process ${(costs.nodeCpuMs / assigned).toFixed(2)} ms, PostgreSQL ${(costs.pgCpuMs / assigned).toFixed(2)} ms ` +
      `(Node busy ${Math.round(costs.nodeCpuMs / 10 / seconds)}% of one core, PostgreSQL ${Math.round(costs.pgCpuMs / 10 / seconds)}%); ${loadLine()}`,
  );
  log(
    `mean time per call: setPresence (with its dispatch round) ${run.meanCall.setPresence.toFixed(1)} ms, ` +
      `acceptOffer ${run.meanCall.accept.toFixed(1)} ms, completeTask ${run.meanCall.complete.toFixed(1)} ms`,
  );
  const wal = (key: keyof DriveCosts['wal']) => costs.wal[key] / assigned;
  log(
    `WAL per assignment: ${wal('records').toFixed(1)} records, ${wal('fpi').toFixed(2)} full-page images, ` +
      `${Math.round(wal('bytes'))} bytes, ${wal('syncs').toFixed(2)} flushes to disk; ${wal('commits').toFixed(2)} commits`,
  );
  log(`autovacuum during the drive: ${costs.autovacuum.map((t) => `${t.table} vacuumed ${t.vacuums}, analyzed ${t.analyzes}`).join('; ')}`);
  const { becomeAvailable, accept, complete } = costs.perStatement;
  log(`calls per statement (grouped): become available ${becomeAvailable.toFixed(2)}, accept ${accept.toFixed(2)}, complete ${complete.toFixed(2)}`);
}

/** PostgreSQL's planning and execution time per assignment, for the top statements (BENCH_STATEMENTS=1). */
export function reportStatements(costs: StatementCosts, assigned: number) {
  const per = (ms: number) => (ms / assigned).toFixed(3);
  log(
    `statements: ${(costs.all.calls / assigned).toFixed(1)} per assignment, planning ${per(costs.all.plan)} ms + execution ${per(costs.all.exec)} ms per assignment`,
  );
  for (const r of costs.top) {
    log(`  ${per(r.plan)} + ${per(r.exec)} ms/assignment, ${(r.calls / assigned).toFixed(2)} calls: ${r.query.trim().slice(0, 140)}`);
  }
}

export function reportDbTps(tps: DbTps, workers: number, seconds: number, assignmentsPerSecond: number) {
  log(`${tps.updates} single-row UPDATE transactions in ${seconds} s with ${workers} workers: ${Math.round(tps.perSecond)}/s`);
  log(`ratio assignments_per_s / db_tps = ${(assignmentsPerSecond / tps.perSecond).toFixed(4)}`);
  log(`the same through node-postgres without the ORM: ${Math.round(tps.rawPerSecond)}/s`);
}

const reads = (t: ReadTimes) => `p50 ${round1(t.p50)} ms, max ${round1(t.max)} ms, Node CPU ${round1(t.nodeCpuPerRead)} ms per read`;

export function reportHistoryReads(history: number, times: { wallboard: ReadTimes; handlingTime: ReadTimes }) {
  log(`history: ${history} finished consults over 60 days; wallboard ${reads(times.wallboard)}; average handling time ${reads(times.handlingTime)}`);
}

export function reportWaitingStatus(waiting: number, times: ReadTimes) {
  log(`a waiting patient's status with ${waiting} waiting: ${reads(times)}`);
}

/** The line runs are compared by (docs/routing-benchmark.md defines each figure). */
export function printResult(run: DriveRun, tps: DbTps) {
  console.log(
    `RESULT assignments_per_s=${Math.round(run.assigned / run.seconds)} offer_p50_ms=${round1(percentile(run.latencies, 50))} ` +
      `offer_p99_ms=${round1(percentile(run.latencies, 99))} db_tps=${Math.round(tps.perSecond)}`,
  );
}
