// `npm run bench:ehr`: on a local stack (PostgreSQL and the embedded FHIR server over HTTP), loads the
// clinician's EHR panel through the clinical router (authorization, the FHIR searches, mapping, audit)
// for a patient with a year of home readings, BENCH_RUNS times (default 50) after 3 warm-up loads.
// Last line: RESULT ehr_panel_p50_ms=<n> ehr_panel_p90_ms=<n>
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { generateClient } from './lib/postgres.mjs';
import { startStack } from './lib/stack.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARM_UP = 3;
const work = path.join(REPO_ROOT, '.data', 'bench', `ehr-${process.pid}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await generateClient();
  const stack = await startStack({ work, database: 'revisit_bench' });
  try {
    Object.assign(process.env, stack.env);
    const [{ createVisitScenario }, { createFhirGateway }, { createChartFixture, linkChart }, { createCaller }, { createContext }] = await Promise.all([
      import('@/server/testing/factories'),
      import('@/server/fhir/gateway'),
      import('@/server/clinical/testing/chart-fixture'),
      import('@/server/api/root'),
      import('@/server/api/trpc'),
    ]);
    const scenario = await createVisitScenario();
    const fixtureStarted = Date.now();
    const gateway = createFhirGateway({ baseUrl: stack.env.FHIR_BASE_URL as string, timeoutMs: 30_000 });
    // Other patients' charts in the same server, so the searches have something to skip.
    for (let seed = 1; seed <= 3; seed++) await createChartFixture(gateway, { days: 365, seed });
    const { fhirPatientId, resources } = await createChartFixture(gateway, { days: 365, seed: 42 });
    await linkChart(scenario.patient.id, fhirPatientId);
    console.log(`Chart written: ${resources} resources for the measured patient (4 patients in all) in ${Date.now() - fixtureStarted} ms`);

    const caller = createCaller(
      createContext({ kind: 'staff', id: scenario.doctor.id, name: scenario.doctor.name, role: 'CLINICIAN', clinicId: scenario.clinic.id }),
    );
    const timings: number[] = [];
    let observations = 0;
    for (let run = 0; run < WARM_UP + RUNS; run++) {
      const started = performance.now();
      const { chart } = await caller.clinical.chart({ appointmentId: scenario.appointment.id });
      const elapsed = performance.now() - started;
      if (!chart) throw new Error('The panel came back without a chart');
      observations = chart.series.reduce((sum, series) => sum + series.times.length, 0);
      if (run >= WARM_UP) timings.push(elapsed);
    }
    timings.sort((a, b) => a - b);
    const p50 = Math.round(percentile(timings, 50));
    const p90 = Math.round(percentile(timings, 90));
    console.log(
      `${RUNS} panel loads (after ${WARM_UP} warm-up): ${observations} charted readings each; min ${Math.round(timings[0]!)} ms, max ${Math.round(timings[timings.length - 1]!)} ms`,
    );
    console.log(`RESULT ehr_panel_p50_ms=${p50} ehr_panel_p90_ms=${p90}`);
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
