// `npm run bench:agents`: how many waiting-room (ringback) streams and IVR sessions one agents worker carries.
//
// On its own stack (PostgreSQL, LiveKit, FHIR and one agents worker on loopback, fresh data under .data/bench,
// stopped by PID at the end) it adds rooms step by step, each with a real @livekit/rtc-node subscriber (the patient)
// that decodes the agent's video. After each step a measuring window gives the lowest received frame rate over the
// rooms and the worker's CPU (its Node process by thread, and its ffmpeg decoders). It stops at the first step whose
// lowest rate falls below 90% of the sent 15 fps (or at --max). Ringback rooms wait in the queue (the demo's clips,
// decoded once per worker and fanned out); IVR rooms sit in the menu (rendered frames, cached speech).
// Then it accepts --stop-samples waiting rooms one by one and measures, at each subscriber, the time from the
// accept to the last ringback frame.
// Last line: RESULT ringback_streams_per_core=<n> ivr_sessions_per_core=<n> ringback_stop_p95_ms=<n>
// (streams per core: the most rooms kept at >= 90% of the rate, divided by the worker's CPU cores at that load).
//
// Options: --max 60 --step 5 --window 6 --stop-samples 10
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dispose, ParticipantKind, Room, RoomEvent, TrackKind, VideoStream, type RemoteTrack } from '@livekit/rtc-node';
import { generateClient } from './lib/postgres.mjs';
import { REPO_ROOT } from './lib/proc.mjs';
import { startStack } from './lib/stack.mjs';

const { values: args } = parseArgs({
  options: {
    max: { type: 'string', default: '60' },
    step: { type: 'string', default: '5' },
    window: { type: 'string', default: '6' },
    'stop-samples': { type: 'string', default: '10' },
  },
});
const MAX = Number(args.max);
const STEP = Number(args.step);
const WINDOW_S = Number(args.window);
const STOP_SAMPLES = Number(args['stop-samples']);
const SENT_FPS = 15;
const work = path.join(REPO_ROOT, '.data', 'bench', `agents-${process.pid}`);

type Subscriber = { room: Room; frames: number[]; appointmentId: string; patientId: string };

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;
}

// ---- CPU and memory of the worker, from /proc

type Proc = { pid: number; ppid: number; comm: string; ticks: number };
function readProc(pid: number, task?: number): Proc | null {
  try {
    const text = readFileSync(task ? `/proc/${pid}/task/${task}/stat` : `/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid: task ?? pid, ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}
function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is Proc => p !== null);
}
/** The agents worker's Node process (under the npx group) and its ffmpeg children. */
function workerProcesses(rootPid: number) {
  const procs = allProcs();
  const below = (pid: number): Proc[] => procs.filter((p) => p.ppid === pid).flatMap((p) => [p, ...below(p.pid)]);
  const tree = [procs.find((p) => p.pid === rootPid)!, ...below(rootPid)].filter(Boolean);
  const node = tree.filter((p) => p.comm === 'node').at(-1)!;
  return { node, ffmpeg: tree.filter((p) => p.comm === 'ffmpeg') };
}
/** CPU ticks by where they go: the worker's threads grouped by name, and the decoders. */
function cpuSnapshot(rootPid: number): Map<string, number> {
  const { node, ffmpeg } = workerProcesses(rootPid);
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${node.pid}/task`)) {
    const thread = readProc(node.pid, Number(task));
    if (!thread) continue;
    const name = thread.pid === node.pid ? 'node (JavaScript)' : thread.comm.replace(/[-_]?\d+$/, '');
    byName.set(name, (byName.get(name) ?? 0) + thread.ticks);
  }
  byName.set(
    'ffmpeg (clip decode + scale)',
    ffmpeg.reduce((sum, p) => sum + p.ticks, 0),
  );
  return byName;
}
/** The whole machine's busy CPU ticks and all ticks (/proc/stat): to tell the worker's limit from the machine's. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - (fields[4] ?? 0), total };
}
function rssMb(rootPid: number): number {
  const { node } = workerProcesses(rootPid);
  const line = readFileSync(`/proc/${node.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return line ? Number(line[1]) / 1024 : 0;
}
function cpuDelta(before: Map<string, number>, after: Map<string, number>, seconds: number) {
  const parts = [...after].map(([name, ticks]) => ({ name, cores: (ticks - (before.get(name) ?? 0)) / 100 / seconds })).filter((p) => p.cores > 0.001);
  return { total: parts.reduce((s, p) => s + p.cores, 0), parts: parts.sort((a, b) => b.cores - a.cores) };
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await generateClient();
  const stack = await startStack({ work, database: 'revisit_bench' });
  const subscribers: Subscriber[] = [];
  try {
    Object.assign(process.env, stack.env);
    const agents = await stack.startAgents();
    const { db } = await import('@/server/db');
    const { livekit } = await import('@/server/livekit');
    const { createVisitScenario, addVisit, createStaff, patientPrincipal, staffPrincipal } = await import('@/server/testing/factories');
    const { acceptTelehealthConsent, telehealthConsentFor } = await import('@/server/visit/consent-service');
    const { enqueueForAppointment } = await import('@/server/routing/patient-queue');
    const { startPatientCall, acceptCall } = await import('@/server/agents/patient-call');
    const { setPresence } = await import('@/server/routing/presence');
    // Offers go to any available clinician at once (no wait for the patient's own), for the stop measurement.
    const first = await createVisitScenario({ queue: { preferredClinicianSeconds: 0 } });

    async function addRoom(waiting: boolean): Promise<Subscriber> {
      const visit = subscribers.length === 0 && waiting ? first : await addVisit(first.clinic.id, first.doctor.id);
      const patient = patientPrincipal(visit);
      const consent = await telehealthConsentFor(patient, 'en');
      await acceptTelehealthConsent(patient, { locale: 'en', text: consent.text });
      if (waiting) await enqueueForAppointment(patient);
      const call = await startPatientCall(livekit(), patient, { audioOnly: false, locale: 'en' });
      const room = new Room();
      const subscriber: Subscriber = { room, frames: [], appointmentId: visit.appointment.id, patientId: visit.patient.id };
      room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _publication, participant) => {
        if (participant.kind !== ParticipantKind.AGENT || track.kind !== TrackKind.KIND_VIDEO) return;
        void (async () => {
          const reader = new VideoStream(track).getReader();
          while (!(await reader.read()).done) subscriber.frames.push(performance.now());
        })();
      });
      await room.connect(livekit().serverUrl, call.token, { autoSubscribe: true, dynacast: false });
      subscribers.push(subscriber);
      return subscriber;
    }

    async function measure(rooms: Subscriber[]) {
      // Every room receiving before the window opens.
      const deadline = Date.now() + 30_000;
      while (rooms.some((r) => r.frames.length < 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const cpuBefore = cpuSnapshot(agents.pid!);
      const machineBefore = machineTicks();
      const start = performance.now();
      await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
      const end = performance.now();
      const cpu = cpuDelta(cpuBefore, cpuSnapshot(agents.pid!), (end - start) / 1000);
      const machineAfter = machineTicks();
      const machineBusy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
      const rates = rooms.map((r) => r.frames.filter((t) => t >= start && t < end).length / ((end - start) / 1000)).sort((a, b) => a - b);
      return { lowest: rates[0] ?? 0, median: percentile(rates, 50), cpu, rssMb: rssMb(agents.pid!), machineBusy };
    }

    async function ramp(kind: 'ringback' | 'ivr', waiting: boolean) {
      const rooms: Subscriber[] = [];
      const rssAtStart = rssMb(agents.pid!);
      let best = { rooms: 0, cores: 0 };
      for (let target = STEP; target <= MAX; target += STEP) {
        while (rooms.length < target) rooms.push(await addRoom(waiting));
        const figures = await measure(rooms);
        const ok = figures.lowest >= 0.9 * SENT_FPS;
        console.log(
          `${kind} ${rooms.length} rooms: lowest ${figures.lowest.toFixed(1)} fps, median ${figures.median.toFixed(1)} fps; worker ${figures.cpu.total.toFixed(2)} cores ` +
            `(${((figures.cpu.total / rooms.length) * 100).toFixed(1)}% of a core per room: ${figures.cpu.parts
              .slice(0, 5)
              .map((p) => `${p.name} ${((p.cores / rooms.length) * 100).toFixed(2)}%`)
              .join(
                ', ',
              )}); memory ${((figures.rssMb - rssAtStart) / rooms.length).toFixed(1)} MB per room; machine ${Math.round(figures.machineBusy * 100)}% busy`,
        );
        if (!ok) break;
        best = { rooms: rooms.length, cores: figures.cpu.total };
      }
      return { rooms, perCore: best.cores > 0 ? Math.floor(best.rooms / best.cores) : 0, best };
    }

    const ringback = await ramp('ringback', true);
    console.log(`ringback: ${ringback.best.rooms} rooms at >= 90% of ${SENT_FPS} fps with the worker at ${ringback.best.cores.toFixed(2)} cores`);

    // The stop: accept waiting rooms one at a time and see when the agent's frames stop at the patient.
    const clinicians = await Promise.all(Array.from({ length: STOP_SAMPLES }, () => createStaff(first.clinic.id, 'CLINICIAN')));
    const stops: number[] = [];
    for (const clinician of clinicians) {
      const staff = staffPrincipal(clinician);
      await setPresence(staff, 'AVAILABLE');
      let offer = null;
      for (let i = 0; i < 50 && !offer; i++) {
        offer = await db.offer.findFirst({ where: { clinicianId: clinician.id, state: 'PENDING' }, include: { task: { select: { appointmentId: true } } } });
        if (!offer) await new Promise((r) => setTimeout(r, 100));
      }
      if (!offer) break;
      const subscriber = ringback.rooms.find((r) => r.appointmentId === offer.task.appointmentId);
      const acceptedAt = performance.now();
      await acceptCall(livekit(), staff, offer.id);
      await new Promise((r) => setTimeout(r, 2000));
      if (!subscriber) continue;
      const last = subscriber.frames.at(-1) ?? acceptedAt;
      stops.push(Math.max(0, Math.round(last - acceptedAt)));
    }
    stops.sort((a, b) => a - b);
    console.log(`ringback stop after accept (last agent frame at the patient): ${stops.join(', ')} ms`);
    for (const room of ringback.rooms) await room.room.disconnect();

    const ivr = await ramp('ivr', false);
    console.log(`ivr: ${ivr.best.rooms} sessions at >= 90% of ${SENT_FPS} fps with the worker at ${ivr.best.cores.toFixed(2)} cores`);
    console.log(`RESULT ringback_streams_per_core=${ringback.perCore} ivr_sessions_per_core=${ivr.perCore} ringback_stop_p95_ms=${percentile(stops, 95)}`);
  } finally {
    for (const subscriber of subscribers) await subscriber.room.disconnect().catch(() => {});
    await dispose();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench:agents failed: ${(error as Error).stack}`);
    process.exit(1);
  },
);
