// `npm run bench:sip`: phone calls into the clinic's menu and queue, placed by SIPp, until the machine cannot keep up.
//
// On its own stack (PostgreSQL, Redis, LiveKit in Redis mode, the SIP bridge, FHIR and one agents worker on loopback,
// fresh data under .data/bench, stopped by PID at the end), with LiveKit's webhooks served by the real intake. At each
// level it places that many calls (RATE a second) from known patients' numbers; each caller listens to the main menu,
// keys 1 (a submenu), then 1 again (the follow-up queue), and stays on the line in the queue until every call of the
// level has been connected for a while. Per call:
//   setup: SIPp's INVITE to the first menu audio at the phone (RTP measured at the phone's own port);
//   dtmf_to_prompt: the first key press (SIPp's log) to the submenu's prompt at the phone (the first sound after the
//   silence that the key press caused).
// A level passes when every call was answered, keyed into the queue and heard its prompts. The CPU of livekit-sip,
// LiveKit and the agents worker is measured while all calls of the level are on the line.
// Last line: RESULT concurrent_calls=<n> setup_p50_ms=<n> dtmf_to_prompt_p50_ms=<n> (figures of the highest level passed)
//
// Options: --levels 10,25,50,75,100 --rate 10
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateClient } from './lib/postgres.mjs';
import { REPO_ROOT, freePort } from './lib/proc.mjs';
import { startStack } from './lib/stack.mjs';
import { treeCpuSeconds } from './capacity/process-cpu';

const { values: args } = parseArgs({ options: { levels: { type: 'string', default: '10,25,50,75,100' }, rate: { type: 'string', default: '10' } } });
const LEVELS = args.levels.split(',').map(Number);
const RATE = Number(args.rate);
const work = path.join(REPO_ROOT, '.data', 'bench', `sip-${process.pid}`);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
};

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await generateClient();
  const stack = await startStack({ work, database: 'revisit_bench' });
  let receiver: { close: () => Promise<void> } | null = null;
  try {
    if (!stack.pids.sip) throw new Error('The stack runs without SIP (SIP_ENABLED=0): nothing to measure');
    Object.assign(process.env, stack.env, { IVR_NO_INPUT_MS: '30000' });
    const { serveLivekitWebhooks } = await import('@/server/sip/testing/webhook-receiver');
    receiver = await serveLivekitWebhooks(Number(stack.env.WEB_PORT));
    const agents = await stack.startAgents();
    const { db } = await import('@/server/db');
    const { createAppointment, createClinic, createPatient, createStaff } = await import('@/server/testing/factories');
    const { sip } = await import('@/server/sip');
    const { reconcilePhoneLines } = await import('@/server/sip/provisioning');
    const { placePhoneCall } = await import('@/server/sip/testing/sipp-phone');

    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    const clinicNumber = '+8657199990000';
    await db.clinicPhone.create({ data: { clinicId: clinic.id, numbers: [clinicNumber], allowedAddresses: ['127.0.0.1/32'] } });
    await reconcilePhoneLines(sip(), clinic.id);
    const sipPort = Number(stack.env.SIP_PORT);

    let best: { calls: number; setup: number; dtmf: number } | null = null;
    for (const level of LEVELS) {
      const patients = await Promise.all(
        Array.from({ length: level }, async () => {
          const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
          await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
          return patient;
        }),
      );
      const spreadMs = (level / RATE) * 1000;
      // Everyone is still on the line 10 s after the last call was placed: the CPU window.
      const holdMs = spreadMs + 16_000;
      const calls = [];
      const placedAt = Date.now();
      for (const [index, patient] of patients.entries()) {
        const wait = placedAt + (index * 1000) / RATE - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const remaining = holdMs - (Date.now() - placedAt);
        calls.push(
          await placePhoneCall({
            sipPort,
            from: patient.phone,
            to: clinicNumber,
            steps: [{ pauseMs: 4000 }, { keys: '1' }, { pauseMs: 2500 }, { keys: '1' }, { pauseMs: Math.max(3000, remaining - 8000) }],
            dir: path.join(work, 'calls'),
            sippPort: await freePort(),
            mediaPort: await freePort(),
            timeoutSeconds: Math.ceil(holdMs / 1000) + 30,
          }),
        );
      }
      // All on the line: measure the CPU of the three processes for 6 s.
      const pids = { 'livekit-sip': stack.pids.sip!, livekit: stack.pids.livekit, agents: agents.pid! };
      const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
      const windowStart = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const seconds = (Date.now() - windowStart) / 1000;
      const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (treeCpuSeconds(pid) - before[name]!) / seconds]));
      const results = await Promise.all(calls.map((call) => call.finished));

      const setups: number[] = [];
      const answers: number[] = [];
      const dtmfs: number[] = [];
      let failed = 0;
      for (const [index, call] of calls.entries()) {
        const events = call.events();
        const windows = call.windows();
        const firstAudio = windows.find((w) => w.rms > 0.01)?.at;
        const key = events.keys[0]?.at;
        let prompt: number | undefined;
        if (key) {
          // The key stops the menu's prompt; the submenu's starts after a silence.
          const afterKey = windows.filter((w) => w.at > key);
          const silence = afterKey.findIndex((w) => w.rms < 0.003);
          prompt = silence >= 0 ? afterKey.slice(silence).find((w) => w.rms > 0.01)?.at : undefined;
        }
        if (results[index]!.code !== 0 || !events.invite || !firstAudio || !key || !prompt) {
          failed++;
          continue;
        }
        setups.push(firstAudio - events.invite);
        if (events.answered) answers.push(events.answered - events.invite);
        dtmfs.push(prompt - key);
      }
      const queued = await db.task.count({ where: { clinicId: clinic.id, channel: 'PHONE', appointment: { patientId: { in: patients.map((p) => p.id) } } } });
      const figures = { setup: percentile(setups, 50), setupP90: percentile(setups, 90), dtmf: percentile(dtmfs, 50), dtmfP90: percentile(dtmfs, 90) };
      const perCall = (cores: number) => `${((cores / level) * 100).toFixed(2)}% of a core`;
      console.log(
        `${level} calls: ${level - failed} heard the menu and the submenu, ${queued} queued; setup p50 ${figures.setup.toFixed(0)} ms (p90 ${figures.setupP90.toFixed(0)}; ` +
          `INVITE to answer p50 ${percentile(answers, 50).toFixed(0)} ms), ` +
          `dtmf_to_prompt p50 ${figures.dtmf.toFixed(0)} ms (p90 ${figures.dtmfP90.toFixed(0)}); per call: livekit-sip ${perCall(cpu['livekit-sip']!)}, ` +
          `LiveKit ${perCall(cpu.livekit!)}, agents ${perCall(cpu.agents!)} (all ${Object.values(cpu)
            .reduce((a, b) => a + b, 0)
            .toFixed(2)} cores)`,
      );
      // Calls of this level are done: their tasks go, so the next level's queue starts empty.
      await db.task.updateMany({
        where: { clinicId: clinic.id, state: { in: ['WAITING', 'OFFERED'] } },
        data: { state: 'CANCELLED', cancelledAt: new Date() },
      });
      if (failed > 0 || queued < level) break;
      best = { calls: level, setup: figures.setup, dtmf: figures.dtmf };
    }
    console.log(
      best
        ? `RESULT concurrent_calls=${best.calls} setup_p50_ms=${Math.round(best.setup)} dtmf_to_prompt_p50_ms=${Math.round(best.dtmf)}`
        : 'RESULT concurrent_calls=0 setup_p50_ms=0 dtmf_to_prompt_p50_ms=0',
    );
  } finally {
    await receiver?.close();
    await stack.stop();
    const { closeAgentJobs } = await import('@/server/agents/job-queue');
    await closeAgentJobs().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
