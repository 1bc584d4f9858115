// `npm test`: unit, integration (real PostgreSQL + LiveKit) and end-to-end (Chromium) suites, one summary line.
// Usage: npm test [-- unit integration e2e] [file filters]   (default: all three suites, every file)
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { generateClient, runMigrations, startPostgres } from './lib/postgres.mjs';
import { startLivekit } from './lib/livekit.mjs';
import { REPO_ROOT, freePort, run, startService, waitFor } from './lib/proc.mjs';

const requested = process.argv.slice(2).filter((a) => ['unit', 'integration', 'e2e'].includes(a));
const suites = requested.length ? requested : ['unit', 'integration', 'e2e'];
// Anything else names test files to run (e.g. `npm test -- e2e waiting-room`).
const fileFilters = process.argv.slice(2).filter((a) => !['unit', 'integration', 'e2e'].includes(a));
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
  totals.failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  totals.skipped += report.numPendingTests + report.numTodoTests;
}

async function runE2e(env) {
  const out = path.join(work, 'playwright.json');
  rmSync(out, { force: true });
  console.log('\n▶ Building the web app for end-to-end tests');
  try {
    await run('npx', ['next', 'build'], { env: { ...env, NODE_ENV: 'production' } });
  } catch (error) {
    totals.failed += 1;
    console.error(`next build failed; e2e not run (counted as one failure): ${error.message}`);
    return;
  }
  const web = startService('web', 'npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(env.WEB_PORT)], {
    env: { ...env, NODE_ENV: 'production' },
    logFile: path.join(work, 'web.log'),
  });
  started.push(web);
  await waitFor(() => fetch(`${env.APP_URL}/api/health`).then((r) => r.ok, () => false), {
    timeoutMs: 60_000,
    what: `the web app on ${env.APP_URL}`,
  });
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

  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  if (suites.includes('integration') || suites.includes('e2e')) {
    console.log('▶ Starting PostgreSQL and LiveKit on loopback');
    const pg = await startPostgres({ dataDir: path.join(work, 'pg'), port: await freePort(), database: 'revisit_test' });
    started.push({ name: 'postgres', stop: pg.stop });
    await runMigrations(pg.url);
    const webPort = await freePort();
    const apiKey = 'revisit-test';
    const apiSecret = randomBytes(32).toString('hex');
    const livekit = await startLivekit({
      dir: path.join(work, 'livekit'),
      apiKey,
      apiSecret,
      webhookUrl: `http://127.0.0.1:${webPort}/api/livekit/webhook`,
    });
    started.push({ name: 'livekit', stop: livekit.stop });
    Object.assign(env, {
      DATABASE_URL: pg.url,
      AUTH_SECRET: randomBytes(32).toString('base64'),
      APP_URL: `http://127.0.0.1:${webPort}`,
      WEB_PORT: String(webPort),
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: apiKey,
      LIVEKIT_API_SECRET: apiSecret,
    });
  }

  const vitestProjects = suites.filter((s) => s !== 'e2e');
  if (vitestProjects.length) {
    console.log(`\n▶ ${vitestProjects.join(' + ')} tests (vitest)`);
    await runVitest(vitestProjects, env);
  }
  if (suites.includes('e2e')) await runE2e(env);
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
