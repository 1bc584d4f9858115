// `npm test`: unit, integration (real PostgreSQL + LiveKit) and end-to-end (Chromium) suites, one summary line.
// Usage: npm test [-- lint unit integration e2e] [file filters]   (default: lint and all three suites, every file)
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { generateClient } from './lib/postgres.mjs';
import { startStack } from './lib/stack.mjs';
import { REPO_ROOT, run } from './lib/proc.mjs';

const SUITES = ['lint', 'unit', 'integration', 'e2e'];
const requested = process.argv.slice(2).filter((a) => SUITES.includes(a));
const suites = requested.length ? requested : SUITES;
// Anything else names test files to run (e.g. `npm test -- e2e waiting-room`).
const fileFilters = process.argv.slice(2).filter((a) => !SUITES.includes(a));
// Each run has its own folder, so two runs on one machine never share a database; kept on failure.
const work = path.join(REPO_ROOT, '.data', 'test', `run-${process.pid}`);
const started = [];
const totals = { passed: 0, failed: 0, skipped: 0 };
const t0 = Date.now();

async function stopAll() {
  while (started.length) {
    const service = started.pop();
    await service.stop().catch((error) => console.error(`Could not stop ${service.name}: ${error.message}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

async function runVitest(projects, env) {
  const out = path.join(work, 'vitest.json');
  rmSync(out, { force: true });
  const args = ['vitest', 'run', ...fileFilters, ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile=${out}`];
  await run('npx', args, { env }).catch(() => {});
  const report = readJson(out);
  if (!report) {
    totals.failed += 1;
    console.error('vitest produced no report (it failed to start); counted as one failure');
    return;
  }
  totals.passed += report.numPassedTests;
  // A failed test also fails its describe blocks and its file, so suites are not added to the count;
  // a file that failed with no failed test (it did not load, or a hook threw) counts as one failure.
  const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'));
  totals.failed += report.numFailedTests + brokenFiles.length;
  for (const file of brokenFiles) console.error(`${path.relative(REPO_ROOT, file.name)} failed outside its tests: ${file.message}`);
  totals.skipped += report.numPendingTests + report.numTodoTests;
}

/** ESLint (the layers) and Prettier: each counts as one test, passed or failed. */
async function runLint() {
  console.log('\n▶ Lint (ESLint, Prettier)');
  for (const [name, args] of [
    ['eslint', ['eslint', '.']],
    ['prettier', ['prettier', '--check', '.']],
  ]) {
    const ok = await run('npx', args).then(
      () => true,
      () => false,
    );
    if (ok) totals.passed += 1;
    else {
      totals.failed += 1;
      console.error(`${name} found problems (see above); \`npm run format\` fixes formatting`);
    }
  }
}

async function runE2e(env, startWeb, startAgents) {
  const out = path.join(work, 'playwright.json');
  rmSync(out, { force: true });
  console.log('\n▶ Building and starting the web app for end-to-end tests');
  try {
    await startWeb();
    await startAgents();
  } catch (error) {
    totals.failed += 1;
    console.error(`The web app or the agents worker could not be started; e2e not run (counted as one failure): ${error.message}`);
    return;
  }
  console.log('\n▶ End-to-end tests (Chromium)');
  await run('npx', ['playwright', 'test', ...fileFilters], { env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out } }).catch(() => {});
  const report = readJson(out);
  if (!report) {
    totals.failed += 1;
    console.error('Playwright produced no report; counted as one failure');
    return;
  }
  totals.passed += report.stats.expected + report.stats.flaky;
  totals.failed += report.stats.unexpected;
  totals.skipped += report.stats.skipped;
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  await run('bash', ['scripts/install-tools.sh', ...(suites.includes('e2e') ? ['--with-browser'] : [])]);
  await generateClient();
  if (suites.includes('lint') && fileFilters.length === 0) await runLint();

  let env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  let startWeb = null;
  let startAgents = null;
  if (suites.includes('integration') || suites.includes('e2e')) {
    console.log('▶ Starting PostgreSQL and LiveKit on loopback');
    const stack = await startStack({ work });
    started.push({ name: 'stack', stop: stack.stop });
    env = stack.env;
    startWeb = stack.startWeb;
    startAgents = stack.startAgents;
  }

  const vitestProjects = suites.filter((s) => s === 'unit' || s === 'integration');
  if (vitestProjects.length) {
    console.log(`\n▶ ${vitestProjects.join(' + ')} tests (vitest)`);
    await runVitest(vitestProjects, env);
  }
  if (suites.includes('e2e')) await runE2e(env, startWeb, startAgents);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  totals.failed += 1;
  console.error(`\nThe test run could not complete: ${error.message}`);
} finally {
  await stopAll();
}
if (totals.failed > 0) exitCode = 1;
else rmSync(work, { recursive: true, force: true });
if (exitCode) console.log(`Logs of this run: ${path.relative(REPO_ROOT, work)}`);
console.log(`\nTest run took ${Math.round((Date.now() - t0) / 1000)} s (${suites.join(', ')})`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
