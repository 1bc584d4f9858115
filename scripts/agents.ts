// `npm run agents`: the agents worker (video IVR and ringback participants). Run as many as needed, on any machine
// that reaches the database and LiveKit; each takes rooms from the job queue.
import { exitOnConfigError } from '@/server/env';
import { startAgentsWorker } from '@/server/agents/worker';

exitOnConfigError();

// One room's stray failure (often LiveKit aborting what was in flight as a room closes) must not take every other
// room of this worker down with it: it is logged, and that room's agent has already stopped or will be taken over.
process.on('unhandledRejection', (reason) => {
  console.error(`agents worker: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});

const worker = await startAgentsWorker();
console.log(`agents worker ${worker.workerId} ready`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop().catch((error) => console.error(`agents worker: ${(error as Error).message}`));
    process.exit(0);
  });
}
