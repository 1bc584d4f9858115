// The web-side load of running consults, in its own process so that the media participants' work in
// the benchmark process cannot delay (and so inflate) the measured response times.
//
// Every consult issues requests at a fixed rate (open loop: the next request does not wait for the
// previous one), cycling through what a live consult asks of the web app: a token for each of its
// three parties (consult.join), the clinician's consult page (server-rendered), the clinician's desk
// and the patient's queue status (live views: time to the first event), and the health check.
// Parent -> child: { type: 'consults', consults: ProbeTarget[] }, { type: 'stop' }.
// Child -> parent: { type: 'samples', samples: ProbeSample[] } every 500 ms.
import { WebSession } from './web-session';

export type ProbeTarget = {
  appointmentId: string;
  cookies: { patient: string; gp: string; specialist: string };
};

export const PROBE_KINDS = ['join', 'page', 'desk', 'queue', 'health'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
export type ProbeSample = { kind: ProbeKind; at: number; ms: number; ok: boolean };

const REQUEST_TIMEOUT_MS = 10_000;
const baseUrl = process.env.PROBE_BASE_URL!;
const perConsultPerSecond = Number(process.env.PROBE_RATE ?? 1);

type Running = { stop: () => void };
const running = new Map<string, Running>();
let pending: ProbeSample[] = [];

function schedule(target: ProbeTarget): Running {
  const sessions = {
    patient: new WebSession(baseUrl, target.cookies.patient),
    gp: new WebSession(baseUrl, target.cookies.gp),
    specialist: new WebSession(baseUrl, target.cookies.specialist),
  };
  const cycle: { kind: ProbeKind; send: (signal: AbortSignal) => Promise<unknown> }[] = [
    { kind: 'join', send: (signal) => sessions.patient.mutate('consult.join', { appointmentId: target.appointmentId }, signal) },
    { kind: 'page', send: (signal) => page(sessions.gp, `/consult/${target.appointmentId}`, signal) },
    { kind: 'join', send: (signal) => sessions.gp.mutate('consult.join', { appointmentId: target.appointmentId }, signal) },
    { kind: 'desk', send: (signal) => sessions.gp.firstEvent('desk.watch', signal) },
    { kind: 'join', send: (signal) => sessions.specialist.mutate('consult.join', { appointmentId: target.appointmentId }, signal) },
    { kind: 'queue', send: (signal) => sessions.patient.firstEvent('waitingRoom.watch', signal) },
    { kind: 'health', send: (signal) => health(signal) },
  ];
  let index = Math.floor(Math.random() * cycle.length);
  const intervalMs = 1000 / perConsultPerSecond;
  let timer: NodeJS.Timeout | undefined;
  // A random phase keeps the consults from firing in lockstep.
  const start = setTimeout(() => {
    timer = setInterval(() => {
      const request = cycle[index++ % cycle.length]!;
      void measure(request.kind, request.send);
    }, intervalMs);
  }, Math.random() * intervalMs);
  return {
    stop: () => {
      clearTimeout(start);
      clearInterval(timer);
    },
  };
}

async function measure(kind: ProbeKind, send: (signal: AbortSignal) => Promise<unknown>) {
  const startedAt = performance.now();
  const at = Date.now();
  let ok = true;
  try {
    await send(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
  } catch {
    ok = false;
  }
  pending.push({ kind, at, ms: performance.now() - startedAt, ok });
}

async function page(session: WebSession, pathname: string, signal: AbortSignal) {
  const response = await session.fetch(pathname, { signal });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${pathname} answered ${response.status}`);
}

async function health(signal: AbortSignal) {
  const response = await fetch(new URL('/api/health', baseUrl), { signal });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`health answered ${response.status}`);
}

const flush = setInterval(() => {
  if (pending.length === 0) return;
  process.send!({ type: 'samples', samples: pending });
  pending = [];
}, 500);

// Ctrl-C reaches the whole process group: the benchmark stops this process itself, after the last samples.
process.on('SIGINT', () => {});

process.on('message', (message: { type: 'consults'; consults: ProbeTarget[] } | { type: 'stop' }) => {
  if (message.type === 'consults') {
    for (const target of message.consults) {
      if (!running.has(target.appointmentId)) running.set(target.appointmentId, schedule(target));
    }
  } else {
    for (const probe of running.values()) probe.stop();
    running.clear();
    clearInterval(flush);
    if (pending.length > 0) process.send!({ type: 'samples', samples: pending });
    process.disconnect();
  }
});
