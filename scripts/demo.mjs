// `npm run demo`: installs what is missing, starts PostgreSQL, LiveKit and the web app on loopback,
// seeds the demo clinic and prints where to go. Ctrl-C stops everything it started. Data stays in .data/.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const t0 = Date.now();
const step = (message) => console.log(`\n▶ ${message}  (+${((Date.now() - t0) / 1000).toFixed(1)} s)`);

function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

// 1. npm dependencies (only node built-ins are used above this point).
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  step('Installing npm dependencies');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('npm ci failed; see the output above.');
}

const { generateClient, runMigrations, startPostgres } = await import('./lib/postgres.mjs');
const { startLivekit } = await import('./lib/livekit.mjs');
const { startRedis, startSipBridge } = await import('./lib/sip.mjs');
const { startFhirServer } = await import('./lib/fhir.mjs');
const { run, startService, waitFor, isPortOpen } = await import('./lib/proc.mjs');

const started = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  while (started.length) {
    const service = started.pop();
    await service.stop().catch((error) => console.error(`  could not stop ${service.name}: ${error.message}`));
    console.log(`  stopped ${service.name}`);
  }
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** Secrets for the local demo are generated once and kept, so sessions and links survive a restart. */
function demoSecrets() {
  const file = path.join(dataDir, 'demo-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    AUTH_SECRET: randomBytes(32).toString('base64'),
    LIVEKIT_API_KEY: 'revisit-demo',
    LIVEKIT_API_SECRET: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function newestSourceChange() {
  const roots = ['app', 'components', 'server', 'prisma/schema.prisma', 'next.config.mjs', 'package-lock.json', 'tsconfig.json'];
  let newest = 0;
  const visit = (p) => {
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'generated') visit(path.join(p, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const r of roots) if (existsSync(path.join(root, r))) visit(path.join(root, r));
  return newest;
}

async function main() {
  step('Checking tools (LiveKit server and SIP bridge, media tools)');
  await run('bash', ['scripts/install-tools.sh']);

  const secrets = demoSecrets();
  const port = Number(process.env.PORT ?? 3000);
  if (await isPortOpen(port)) fail(`Port ${port} is already in use. Stop what runs there, or start with PORT=<another port> npm run demo.`);
  const fhirPort = Number(process.env.FHIR_PORT ?? 8103);
  if (!process.env.FHIR_BASE_URL && (await isPortOpen(fhirPort))) {
    fail(`Port ${fhirPort} (embedded FHIR server) is already in use. Stop what runs there, or start with FHIR_PORT=<another port> npm run demo.`);
  }
  const appUrl = process.env.APP_URL ?? `http://127.0.0.1:${port}`;
  // An external LiveKit brings its own SIP (or none): the project starts the bridge only beside its own LiveKit.
  const sipEnabled = process.env.SIP_ENABLED !== '0' && !process.env.LIVEKIT_URL;
  const sipPort = Number(process.env.SIP_PORT ?? 5060);
  if (sipEnabled && (await isPortOpen(sipPort))) {
    fail(`Port ${sipPort} (phone calls, SIP) is already in use. Stop what runs there, or start with SIP_PORT=<another port> (or SIP_ENABLED=0) npm run demo.`);
  }
  const env = { ...process.env, ...secrets, APP_URL: appUrl, NEXT_TELEMETRY_DISABLED: '1' };
  for (const key of ['AUTH_SECRET', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET']) if (process.env[key]) env[key] = process.env[key];
  // The demo is a production build; unless .env names a real SMS provider it uses the dev one (texts with their
  // links in .data/logs/web.log), which a production build refuses without this explicit demo setting.
  const devSms = !process.env.SMS_PROVIDER || process.env.SMS_PROVIDER === 'dev';
  if (devSms) Object.assign(env, { SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: '1' });

  let databaseShown = process.env.DATABASE_URL;
  if (process.env.DATABASE_URL) {
    step('Using the external PostgreSQL in DATABASE_URL');
  } else {
    step('Starting PostgreSQL (embedded, data in .data/pg)');
    const pgPort = Number(process.env.PG_PORT ?? 5433);
    const pg = await startPostgres({ dataDir: path.join(dataDir, 'pg'), port: pgPort });
    started.push({ name: 'PostgreSQL', stop: pg.stop });
    env.DATABASE_URL = pg.url;
    // The app connects through the server's Unix socket; people and their tools can use TCP.
    databaseShown = pg.tcpUrl;
  }

  if (process.env.LIVEKIT_URL) {
    step(`Using the external LiveKit server at ${process.env.LIVEKIT_URL}`);
    if (!process.env.LIVEKIT_API_KEY || !process.env.LIVEKIT_API_SECRET) {
      fail('LIVEKIT_URL is set, so LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set too.');
    }
  } else {
    // Phone callers (SIP_ENABLED=0 leaves them out): Redis carries LiveKit's SIP bus, so LiveKit runs in its Redis mode.
    let redis = null;
    if (sipEnabled) {
      step('Starting Redis (loopback, for LiveKit SIP)');
      redis = await startRedis({ dir: path.join(dataDir, 'redis'), port: Number(process.env.REDIS_PORT ?? 6390) });
      started.push({ name: 'Redis', stop: redis.stop });
    }
    step('Starting LiveKit server (loopback, webhooks to the app)');
    const livekit = await startLivekit({
      dir: path.join(dataDir, 'livekit'),
      port: Number(process.env.LIVEKIT_PORT ?? 7880),
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
      webhookUrl: `${appUrl}/api/livekit/webhook`,
      redis: redis ?? undefined,
    });
    started.push({ name: 'LiveKit', stop: livekit.stop });
    env.LIVEKIT_URL = livekit.url;
    if (redis) {
      step(`Starting the LiveKit SIP bridge (127.0.0.1:${sipPort})`);
      const bridge = await startSipBridge({
        dir: path.join(dataDir, 'sip'),
        livekitUrl: livekit.url,
        apiKey: env.LIVEKIT_API_KEY,
        apiSecret: env.LIVEKIT_API_SECRET,
        redis,
        sipPort,
      });
      started.push({ name: 'LiveKit SIP', stop: bridge.stop });
    }
  }
  env.SIP_ENABLED = sipEnabled ? '1' : '0';
  env.SIP_PORT = String(sipPort);

  if (process.env.FHIR_BASE_URL) {
    step(`Using the external FHIR server at ${process.env.FHIR_BASE_URL}`);
  } else {
    step('Starting the embedded FHIR server (data in .data/fhir)');
    const fhir = await startFhirServer({
      dataDir: path.join(dataDir, 'fhir'),
      port: fhirPort,
      logFile: path.join(dataDir, 'logs', 'fhir.log'),
    });
    started.push({ name: 'FHIR server', stop: fhir.stop });
    env.FHIR_BASE_URL = fhir.url;
  }

  env.WAITING_MEDIA_DIR ??= path.join(dataDir, 'media', 'waiting');
  env.MEDIA_CACHE_DIR ??= path.join(dataDir, 'media', 'cache');
  step('Making the demo waiting-room clips with ffmpeg (first run only)');
  const { generateDemoClips } = await import('./lib/demo-clips.mjs');
  await generateDemoClips(env.WAITING_MEDIA_DIR);

  step('Preparing the database (Prisma client, migrations, demo data)');
  await generateClient();
  await runMigrations(env.DATABASE_URL);
  const summaryFile = path.join(dataDir, 'demo-logins.json');
  await run('npx', ['tsx', 'prisma/seed.ts'], { env: { ...env, SEED_SUMMARY_FILE: summaryFile } });

  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSourceChange()) {
    step('Building the web app (first run or after a change; about a minute)');
    await run('npx', ['next', 'build'], { env: { ...env, NODE_ENV: 'production' } });
  } else {
    step('Web app is already built');
  }

  step(`Starting the web app on ${appUrl}`);
  const web = startService('web app', 'npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...env, NODE_ENV: 'production' },
    logFile: path.join(dataDir, 'logs', 'web.log'),
  });
  started.push(web);
  await waitFor(
    async () => {
      if (!web.running) throw new Error(`the web app exited; see ${web.logFile}`);
      return fetch(`${appUrl}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 60_000, what: `the web app on ${appUrl}` },
  );

  step('Starting the agents worker (the video menu and waiting-room media)');
  const agentsLog = path.join(dataDir, 'logs', 'agents.log');
  const agents = startService('agents worker', 'npx', ['tsx', 'scripts/agents.ts'], { env: { ...env, NODE_ENV: 'production' }, logFile: agentsLog });
  started.push(agents);
  await waitFor(
    async () => {
      if (!agents.running) throw new Error(`the agents worker exited; see ${agentsLog}`);
      return existsSync(agentsLog) && readFileSync(agentsLog, 'utf8').includes('ready');
    },
    { timeoutMs: 60_000, what: 'the agents worker' },
  );

  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  const line = '─'.repeat(78);
  console.log(`\n${line}\nRevisit is running (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n${line}`);
  console.log(`Web app        ${appUrl}`);
  console.log(`Staff sign-in  ${appUrl}/signin`);
  console.log(`LiveKit        ${env.LIVEKIT_URL}`);
  console.log(`Agents worker  video menu and waiting-room media (log: .data/logs/agents.log)`);
  console.log(`FHIR server    ${env.FHIR_BASE_URL}`);
  if (sipEnabled && summary.phone) {
    console.log(`Phone line     call sip:${summary.phone.number}@127.0.0.1:${sipPort} (UDP or TCP; SIPp or a softphone on this machine)`);
    console.log(`               callers are known by number: ${summary.phone.callers.map((c) => `${c.phone} is ${c.patient}`).join(', ')}`);
  } else console.log('Phone line     off (SIP_ENABLED=0 or an external LiveKit)');
  console.log(`Text messages  ${devSms ? 'not sent: written to .data/logs/web.log (dev provider, demo only)' : `sent through ${env.SMS_PROVIDER}`}`);
  console.log(`Database       ${databaseShown.replace(/:[^:@/]+@/, ':•••@')}`);
  console.log(`\nClinic: ${summary.clinic}\n\nStaff logins:`);
  for (const s of summary.staff) console.log(`  ${s.role.padEnd(9)} ${s.email.padEnd(26)} password: ${s.password}   ${s.name}`);
  console.log('\nPatients with a follow-up today (open the link, then enter the date of birth):');
  for (const p of summary.patients) {
    console.log(`  ${p.patient}  born ${p.birthDate}  with ${p.clinician} at ${p.time}\n    ${p.url}`);
  }
  console.log(`\nLogs in .data/logs and .data/livekit. Press Ctrl-C to stop everything.\n${line}`);
  const { code } = await web.exit;
  if (!stopping) {
    console.error(`The web app stopped unexpectedly (exit ${code}); see ${web.logFile}`);
    await stopAll(1);
  }
}

main().catch(async (error) => {
  console.error(`\n✖ ${error.message}`);
  await stopAll(1);
});
