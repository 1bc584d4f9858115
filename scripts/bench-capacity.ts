// `npm run bench:capacity`: how many three-party consults (patient, GP, specialist) the local stack
// carries before the web app slows down or media stalls. See docs/capacity.md.
//
// On its own stack (PostgreSQL, LiveKit and the built web app on loopback, fresh data under
// .data/bench, stopped by PID at the end, also on error or Ctrl-C) it adds consults step by step.
// Each consult gets its own clinic, GP, specialist and patient (server/testing/factories.ts); the
// patient signs in with the visit link over HTTP, accepts the consent and joins the waiting room, the
// GP signs in, becomes available and accepts the offer; then all three ask the web app for a LiveKit
// token (consult.join over HTTP, as the browser does) and join the room as @livekit/rtc-node
// participants that publish a tone and a moving picture and receive the other two.
// While consults run, a load prober (its own process) sends each consult's web requests (see
// scripts/capacity/load-prober.ts). After each step's consults have media flowing in every
// direction, a measuring window of --window seconds gives: web p50/p95 over all probe requests,
// the lowest received video frame rate and tone-frame rate over every subscriber and remote track,
// stalls (a received track with no new frame, or no tone, for more than --stall-ms), and the CPU
// used by LiveKit, the web app, PostgreSQL and the simulated participants.
// It stops at the first step that breaks a limit (p95 > --p95-ms, any stall, a consult whose media
// never flows, more than 1% failed requests), at --max consults or at --time-limit seconds.
// Last line: RESULT max_consults=<n> web_p95_ms=<n> (the last step within the limits, and its p95).
//
// Options: --max 40 --start 1 --step 1 --window 20 --time-limit 900 --p95-ms 500 --stall-ms 2000
// --probe-rate 1 (requests per second per consult) --audio-frame-ms 10 --no-build (reuse .next).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dispose } from '@livekit/rtc-node';
import { percentile, resultLine, stepProblems, type StepFigures } from './capacity/capacity-figures';
import type { ProbeKind, ProbeSample, ProbeTarget } from './capacity/load-prober';
import { MediaParticipant } from './capacity/media-participant';
import { treeCpuSeconds } from './capacity/process-cpu';
import { WebSession } from './capacity/web-session';
import { generateClient } from './lib/postgres.mjs';
import { REPO_ROOT } from './lib/proc.mjs';
import { startStack } from './lib/stack.mjs';

const { values: args } = parseArgs({
  options: {
    max: { type: 'string', default: '40' },
    start: { type: 'string', default: '1' },
    step: { type: 'string', default: '1' },
    window: { type: 'string', default: '20' },
    'time-limit': { type: 'string', default: '900' },
    'p95-ms': { type: 'string', default: '500' },
    'stall-ms': { type: 'string', default: '2000' },
    'probe-rate': { type: 'string', default: '1' },
    'audio-frame-ms': { type: 'string', default: '10' },
    'no-build': { type: 'boolean', default: false },
  },
});

function positive(name: keyof typeof args, { integer = true } = {}): number {
  const value = Number(args[name]);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
}

const MAX = positive('max');
const START = Math.min(positive('start'), MAX);
const STEP = positive('step');
const WINDOW_MS = positive('window') * 1000;
const TIME_LIMIT_MS = positive('time-limit') * 1000;
const LIMITS = { p95Ms: positive('p95-ms'), stallMs: positive('stall-ms'), maxErrorRate: 0.01 };
const PROBE_RATE = positive('probe-rate', { integer: false });
const AUDIO_FRAME_MS = positive('audio-frame-ms');
if (![10, 20, 40, 50, 100].includes(AUDIO_FRAME_MS)) throw new Error('--audio-frame-ms must be 10, 20, 40, 50 or 100');
/** How long a new consult may take until media flows in every direction. */
const MEDIA_START_LIMIT_MS = 30_000;
/** Sign-ins, routing and joining the room; the media start has its own limit inside. */
const ADD_CONSULT_LIMIT_MS = 120_000;
const WATCHDOG_GRACE_MS = 300_000;
/** Received tracks per participant: audio and video from each of the two other parties. */
const TRACKS_PER_PARTICIPANT = 4;
const BIRTH_DATE = '1958-06-01';

const work = path.join(REPO_ROOT, '.data', 'bench', `capacity-${process.pid}`);
const log = (line: string) => console.log(`[capacity] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number | undefined) => (n === undefined ? '-' : String(Math.round(n)));

type Consult = { appointmentId: string; participants: MediaParticipant[]; target: ProbeTarget; mediaFlowing: boolean };
type Step = { figures: StepFigures; problems: string[] };

let stopRequested = false;

async function main() {
  const startedAt = Date.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(
    `load average at start: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')} (${os.cpus().length} cores)`,
  );
  await generateClient();
  const stack = await startStack({ work, database: 'revisit_bench' });
  const consults: Consult[] = [];
  let prober: ChildProcess | undefined;
  let db: { $disconnect: () => Promise<void> } | undefined;
  const steps: Step[] = [];
  let endReason = '';
  let watchdog: NodeJS.Timeout | undefined;
  try {
    log(args['no-build'] ? 'Starting the web app (existing build)…' : 'Building and starting the web app…');
    const web = await stack.startWeb({ build: !args['no-build'] });
    Object.assign(process.env, stack.env);
    const factories = await import('@/server/testing/factories');
    const { STANDARD_TELEHEALTH_CONSENT } = await import('@/server/visit/consent-service');
    const database = (await import('@/server/db')).db;
    db = database;
    const baseUrl = stack.env.APP_URL as string;
    const pids = { livekit: stack.pids.livekit as number, web: web.pid as number, postgres: stack.pids.postgres as number };

    const samples: ProbeSample[] = [];
    prober = fork(path.join(REPO_ROOT, 'scripts', 'capacity', 'load-prober.ts'), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PROBE_BASE_URL: baseUrl, PROBE_RATE: String(PROBE_RATE) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    prober.on('message', (message: { type: 'samples'; samples: ProbeSample[] }) => samples.push(...message.samples));

    /** A consult up to the point where the patient has been taken by the GP, each party signed in over HTTP. */
    async function prepareConsult(): Promise<{ appointmentId: string; sessions: Record<'patient' | 'gp' | 'specialist', WebSession> }> {
      const clinic = await factories.createClinic();
      const gp = await factories.createStaff(clinic.id, 'CLINICIAN');
      const specialist = await factories.createStaff(clinic.id, 'CLINICIAN');
      const patient = await factories.createPatient(clinic.id, { birthDate: BIRTH_DATE, primaryClinicianId: gp.id });
      const appointment = await factories.createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: gp.id });
      const link = await factories.createVisitLink(appointment.id);
      const sessions = { patient: new WebSession(baseUrl), gp: new WebSession(baseUrl), specialist: new WebSession(baseUrl) };
      await sessions.patient.signIn('patient-link', { token: link.token, birthDate: BIRTH_DATE });
      await sessions.patient.mutate('visit.acceptConsent', { locale: 'en', text: STANDARD_TELEHEALTH_CONSENT.en });
      await sessions.patient.mutate('waitingRoom.join');
      await sessions.gp.signIn('staff', { email: gp.email, password: gp.password });
      await sessions.specialist.signIn('staff', { email: specialist.email, password: specialist.password });
      await sessions.gp.mutate('desk.setPresence', { state: 'AVAILABLE' });
      const deadline = Date.now() + 20_000;
      let offer: { id: string } | null = null;
      while (!offer && Date.now() < deadline) {
        offer = await database.offer.findFirst({ where: { clinicianId: gp.id, state: 'PENDING' }, select: { id: true } });
        if (!offer) await sleep(200);
      }
      if (!offer) throw new Error(`no offer reached the GP of appointment ${appointment.id} within 20 s`);
      await sessions.gp.mutate('desk.accept', { offerId: offer.id });
      return { appointmentId: appointment.id, sessions };
    }

    let consultsStarted = 0;
    async function addConsult(): Promise<Consult> {
      const { appointmentId, sessions } = await prepareConsult();
      const parties = ['patient', 'gp', 'specialist'] as const;
      const number = ++consultsStarted;
      const participants = parties.map(
        (party) => new MediaParticipant(`consult ${number} ${party}`, { audioFrameMs: AUDIO_FRAME_MS, now: () => performance.now() }),
      );
      const consult: Consult = {
        appointmentId,
        participants,
        mediaFlowing: false,
        target: {
          appointmentId,
          cookies: { patient: sessions.patient.cookieHeader, gp: sessions.gp.cookieHeader, specialist: sessions.specialist.cookieHeader },
        },
      };
      consults.push(consult);
      await Promise.all(
        parties.map(async (party, index) => {
          const joined = await sessions[party].mutate<{ serverUrl: string; token: string }>('consult.join', { appointmentId });
          await participants[index]!.join(joined.serverUrl, joined.token);
        }),
      );
      const deadline = performance.now() + MEDIA_START_LIMIT_MS;
      while (performance.now() < deadline && !stopRequested) {
        if (participants.every((p) => p.mediaFlowing(2))) {
          consult.mediaFlowing = true;
          break;
        }
        await sleep(100);
      }
      return consult;
    }

    // Every wait below has its own limit; this is the backstop that still stops the services.
    watchdog = setTimeout(
      () => {
        console.error(`bench:capacity: still running ${(TIME_LIMIT_MS + WATCHDOG_GRACE_MS) / 1000} s after the start; stopping the services`);
        void stack.stop().finally(() => process.exit(1));
      },
      TIME_LIMIT_MS + WATCHDOG_GRACE_MS - (Date.now() - startedAt),
    );
    watchdog.unref();

    const stepsStartedAt = Date.now();
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    log(
      `stepping from ${START} consult(s) by ${STEP} up to ${MAX}; ${WINDOW_MS / 1000} s measuring window per step; ` +
        `${PROBE_RATE} web request(s) per second per consult; limits: p95 ${LIMITS.p95Ms} ms, stall ${LIMITS.stallMs} ms`,
    );
    console.log(
      'consults participants | web requests errors p50_ms p95_ms (join/page/desk/queue/health p95) | min_video_fps min_audio_fps stalls | ' +
        'cpu% livekit/web/postgres/participants/prober machine_busy% | load1 | sim_loop_p99_ms setup_s',
    );

    for (let target = START; ; target = Math.min(MAX, target + STEP)) {
      if (stopRequested) {
        endReason = 'stopped by a signal';
        break;
      }
      const averageStepMs = steps.length > 0 ? (Date.now() - stepsStartedAt) / steps.length : 0;
      if (Date.now() - startedAt + averageStepMs > TIME_LIMIT_MS) {
        endReason = `time limit of ${TIME_LIMIT_MS / 1000} s reached`;
        break;
      }
      const setupStart = performance.now();
      const added = await Promise.allSettled(
        Array.from({ length: target - consults.length }, () => withTimeout(addConsult(), ADD_CONSULT_LIMIT_MS, 'setting up a consult')),
      );
      const setupErrors = added.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const error of setupErrors) log(`a consult could not be set up: ${(error.reason as Error).message}`);
      const setupSeconds = (performance.now() - setupStart) / 1000;
      if (steps.length === 0 && consults[0]) await warmUp(baseUrl, consults[0].target);
      prober.send({ type: 'consults', consults: consults.map((c) => c.target) });
      await sleep(2000);

      // The measuring window.
      const windowStart = performance.now();
      const windowStartWall = Date.now();
      for (const consult of consults) for (const p of consult.participants) for (const track of p.received) track.meter.openWindow(windowStart);
      const cpuBefore = cpuSnapshot(pids, prober.pid!);
      const machineBefore = machineTicks();
      loopDelay.reset();
      await sleep(WINDOW_MS);
      const windowEnd = performance.now();
      const windowEndWall = Date.now();
      const cpuAfter = cpuSnapshot(pids, prober.pid!);
      const machineAfter = machineTicks();

      const inWindow = samples.filter((s) => s.at >= windowStartWall && s.at <= windowEndWall);
      const videoFps: number[] = [];
      const audioFps: number[] = [];
      let stalls = 0;
      const labels = new Map(consults.flatMap((c) => c.participants.map((p) => [p.identity, p.label] as const)));
      for (const consult of consults) {
        if (!consult.mediaFlowing) continue;
        for (const participant of consult.participants) {
          stalls += Math.max(0, TRACKS_PER_PARTICIPANT - participant.received.length);
          for (const track of participant.received) {
            const { fps, maxGapMs } = track.meter.closeWindow(windowEnd);
            (track.kind === 'video' ? videoFps : audioFps).push(fps);
            if (maxGapMs > LIMITS.stallMs) {
              stalls += 1;
              const what = track.kind === 'audio' ? 'tone' : 'video frame';
              log(`stall: ${participant.label} got no ${what} from ${labels.get(track.from) ?? track.from} for ${Math.round(maxGapMs)} ms`);
            }
          }
        }
      }
      const figures: StepFigures = {
        consults: consults.length,
        participants: consults.reduce((n, c) => n + c.participants.length, 0),
        requests: inWindow.length,
        errors: inWindow.filter((s) => !s.ok).length,
        p50Ms: percentile(
          inWindow.map((s) => s.ms),
          50,
        ),
        p95Ms: percentile(
          inWindow.map((s) => s.ms),
          95,
        ),
        minVideoFps: videoFps.length ? Math.min(...videoFps) : 0,
        minAudioFps: audioFps.length ? Math.min(...audioFps) : 0,
        stalls,
        failedJoins: consults.filter((c) => !c.mediaFlowing).length + setupErrors.length,
      };
      const problems = stepProblems(figures, LIMITS);
      steps.push({ figures, problems });

      const seconds = (windowEnd - windowStart) / 1000;
      const cpu = (key: keyof typeof cpuBefore) => Math.round(((cpuAfter[key] - cpuBefore[key]) / seconds) * 100);
      const busy = machineAfter.busy - machineBefore.busy;
      const total = machineAfter.total - machineBefore.total;
      const byKind = (kind: ProbeKind) =>
        round(
          percentile(
            inWindow.filter((s) => s.kind === kind).map((s) => s.ms),
            95,
          ),
        );
      console.log(
        `${figures.consults} ${figures.participants} | ${figures.requests} ${figures.errors} ${round(figures.p50Ms)} ${round(figures.p95Ms)} ` +
          `(${(['join', 'page', 'desk', 'queue', 'health'] as const).map(byKind).join('/')}) | ` +
          `${figures.minVideoFps.toFixed(1)} ${figures.minAudioFps.toFixed(1)} ${figures.stalls} | ` +
          `${cpu('livekit')}/${cpu('web')}/${cpu('postgres')}/${cpu('participants')}/${cpu('prober')} ${total > 0 ? Math.round((busy / total) * 100) : 0} | ` +
          `${os.loadavg()[0]!.toFixed(2)} | ${round(loopDelay.percentile(99) / 1e6)} ${setupSeconds.toFixed(1)}`,
      );
      if (problems.length > 0) {
        endReason = `limit passed at ${figures.consults} consults: ${problems.join('; ')}`;
        break;
      }
      if (consults.length >= MAX) {
        endReason = `ceiling of ${MAX} consults reached within the limits`;
        break;
      }
      samples.splice(0, samples.length);
    }
    loopDelay.disable();
  } finally {
    log(`${endReason || 'ended by an error'}; stopping`);
    if (prober?.connected) {
      const exited = new Promise((resolve) => prober!.once('exit', resolve));
      prober.send({ type: 'stop' });
      await Promise.race([exited, sleep(5000)]);
    }
    if (prober && prober.exitCode === null) prober.kill('SIGTERM');
    await Promise.all(consults.flatMap((c) => c.participants.map((p) => p.leave())));
    await dispose();
    await db?.$disconnect().catch(() => {});
    await stack.stop();
    log(
      `load average at the end: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    clearTimeout(watchdog);
  }
  console.log(resultLine(steps));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The first request to each route of a freshly started web app loads that route's code; without
 * this, a one-off cold start would decide the first step. Failures here are left to the measurements.
 */
async function warmUp(baseUrl: string, target: ProbeTarget) {
  const gp = new WebSession(baseUrl, target.cookies.gp);
  const patient = new WebSession(baseUrl, target.cookies.patient);
  for (let round = 0; round < 2; round++) {
    await Promise.allSettled([
      gp.fetch(`/consult/${target.appointmentId}`).then((r) => r.arrayBuffer()),
      gp.firstEvent('desk.watch', AbortSignal.timeout(10_000)),
      patient.firstEvent('waitingRoom.watch', AbortSignal.timeout(10_000)),
      patient.mutate('consult.join', { appointmentId: target.appointmentId }),
      fetch(new URL('/api/health', baseUrl)).then((r) => r.arrayBuffer()),
    ]);
  }
}

function cpuSnapshot(pids: { livekit: number; web: number; postgres: number }, proberPid: number) {
  const own = process.cpuUsage();
  return {
    livekit: treeCpuSeconds(pids.livekit),
    web: treeCpuSeconds(pids.web),
    postgres: treeCpuSeconds(pids.postgres),
    participants: (own.user + own.system) / 1e6,
    prober: treeCpuSeconds(proberPid),
  };
}

/** Busy and total jiffies of the whole machine (every process, including other people's work). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...fields] = line.trim().split(/\s+/).map(Number);
  const idle = fields[3]! + fields[4]!;
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: finishing the current step and stopping`);
    stopRequested = true;
  });
}

main().then(
  () => {
    // Everything is closed: the process should now end by itself. If a native handle were still
    // open it would not, so say what keeps it alive instead of hanging.
    setTimeout(() => {
      console.error(`bench:capacity: still running 15 s after the end; open resources: ${process.getActiveResourcesInfo().join(', ')}`);
      process.exit(2);
    }, 15_000).unref();
  },
  (error) => {
    console.error(`bench:capacity failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
