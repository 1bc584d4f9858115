// A throwaway local stack for tests and benchmarks: PostgreSQL, LiveKit and the embedded FHIR server on loopback, fresh
// secrets, and optionally the built web app. Everything started here is stopped by `stop()`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runMigrations, startPostgres } from './postgres.mjs';
import { startLivekit } from './livekit.mjs';
import { startRedis, startSipBridge } from './sip.mjs';
import { startSipControl } from './sip-control.mjs';
import { generateDemoClips } from './demo-clips.mjs';
import { startFhirServer } from './fhir.mjs';
import { startFhirControl } from './fhir-control.mjs';
import { freePort, run, startService, waitFor } from './proc.mjs';

export async function startStack({ work, database = 'revisit_test' }) {
  const started = [];
  const stop = async () => {
    while (started.length) {
      const service = started.pop();
      await service.stop().catch((error) => console.error(`Could not stop ${service.name}: ${error.message}`));
    }
  };
  try {
    const pg = await startPostgres({ dataDir: path.join(work, 'pg'), port: await freePort(), database });
    started.push({ name: 'postgres', stop: pg.stop });
    await runMigrations(pg.url);
    const webPort = await freePort();
    const apiKey = 'revisit-test';
    const apiSecret = randomBytes(32).toString('hex');
    // Phone callers (SIP_ENABLED=0 leaves them out): Redis, LiveKit in its Redis mode, and the SIP bridge.
    const withSip = process.env.SIP_ENABLED !== '0';
    const redis = withSip ? await startRedis({ dir: path.join(work, 'redis') }) : null;
    if (redis) started.push({ name: 'redis', stop: redis.stop });
    const livekit = await startLivekit({
      dir: path.join(work, 'livekit'),
      apiKey,
      apiSecret,
      webhookUrl: `http://127.0.0.1:${webPort}/api/livekit/webhook`,
      redis: redis ?? undefined,
    });
    started.push({ name: 'livekit', stop: livekit.stop });
    const sip = redis ? await startSipBridge({ dir: path.join(work, 'sip'), livekitUrl: livekit.url, apiKey, apiSecret, redis }) : null;
    // POST /restart: tests restart the bridge mid-call, on the same ports (scripts/lib/sip-control.mjs).
    const sipControl = sip
      ? await startSipControl({
          initial: sip,
          start: () =>
            startSipBridge({ dir: path.join(work, 'sip'), livekitUrl: livekit.url, apiKey, apiSecret, redis, sipPort: sip.sipPort, rtpPorts: sip.rtpPorts }),
        })
      : null;
    if (sipControl) {
      started.push({
        name: 'livekit-sip',
        stop: async () => {
          await sipControl.stopBridge();
          await sipControl.close();
        },
      });
    }
    const fhir = await startFhirServer({ dataDir: path.join(work, 'fhir') });
    const fhirControl = await startFhirControl({ dataDir: path.join(work, 'fhir'), port: fhir.port, initial: fhir });
    started.push({
      name: 'fhir',
      stop: async () => {
        await fhirControl.stopServer();
        await fhirControl.close();
      },
    });
    const env = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: pg.url,
      AUTH_SECRET: randomBytes(32).toString('base64'),
      APP_URL: `http://127.0.0.1:${webPort}`,
      WEB_PORT: String(webPort),
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: apiKey,
      LIVEKIT_API_SECRET: apiSecret,
      FHIR_BASE_URL: fhir.url,
      // Where the FHIR server keeps its journal, for tests that restart it.
      FHIR_DATA_DIR: path.join(work, 'fhir'),
      // POST /stop and /start: tests take the FHIR server down and bring it back (scripts/lib/fhir-control.mjs).
      FHIR_CONTROL_URL: fhirControl.url,
      // The dev SMS provider writes each text here: in tests it is the patient's phone.
      WEB_LOG_FILE: path.join(work, 'web.log'),
      // The web app runs as a production build (`next start`), which refuses the dev provider unless told
      // explicitly that this is a test stack (server/env.ts).
      SMS_PROVIDER: 'dev',
      ALLOW_DEV_SMS_IN_PRODUCTION: '1',
      // The agents' rendered prompts and the waiting-room clips of this run.
      MEDIA_CACHE_DIR: path.join(work, 'media-cache'),
      WAITING_MEDIA_DIR: path.join(work, 'waiting-media'),
      IVR_NO_INPUT_MS: '8000',
      SIP_ENABLED: sip ? '1' : '0',
      ...(sip ? { SIP_PORT: String(sip.sipPort), SIP_CONTROL_URL: sipControl.url } : {}),
    };

    /** Starts one agents worker (`npm run agents`) against this stack; more than one may run. */
    async function startAgents({ name = 'agents' } = {}) {
      await generateDemoClips(env.WAITING_MEDIA_DIR);
      const logFile = path.join(work, `${name}.log`);
      const agents = startService(name, 'npx', ['tsx', 'scripts/agents.ts'], { env, logFile });
      started.push(agents);
      await waitFor(
        async () => {
          if (!agents.running) throw new Error(`the agents worker exited; see ${logFile}`);
          return existsSync(logFile) && readFileSync(logFile, 'utf8').includes('ready');
        },
        { timeoutMs: 60_000, what: 'the agents worker' },
      );
      return agents;
    }

    /** Builds (unless `build: false`) and starts the web app against this stack. */
    async function startWeb({ build = true } = {}) {
      if (build) await run('npx', ['next', 'build'], { env: { ...env, NODE_ENV: 'production' } });
      const web = startService('web', 'npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(webPort)], {
        env: { ...env, NODE_ENV: 'production' },
        logFile: env.WEB_LOG_FILE,
      });
      started.push(web);
      await waitFor(
        async () => {
          if (!web.running) throw new Error(`the web app exited; see ${web.logFile}`);
          return fetch(`${env.APP_URL}/api/health`).then(
            (r) => r.ok,
            () => false,
          );
        },
        { timeoutMs: 60_000, what: `the web app on ${env.APP_URL}` },
      );
      return web;
    }

    return { env, fhir, startWeb, startAgents, stop, pids: { postgres: pg.pid, livekit: livekit.pid, ...(sip ? { sip: sip.pid, redis: redis.pid } : {}) } };
  } catch (error) {
    await stop();
    throw error;
  }
}
