// The agents worker: takes room-agent jobs from the queue, runs an agent per room, renews its rooms, and asks for
// agents in rooms whose worker stopped renewing (killed, stalled), so any other worker takes them over.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { run, type Runner, type Task } from 'graphile-worker';
import { databaseUrl, env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { startPeriodic } from '@/server/workers/periodic';
import { AGENT_HEARTBEAT_MS, claimSession, orphanedSessions, releaseSessions, renewSessions } from './call-sessions';
import { ROOM_AGENT_TASK, agentJobs, closeAgentJobs, requestRoomAgent, type RoomAgentJob } from './job-queue';
import { RoomAgent } from './room-agent';

export type AgentsWorker = { workerId: string; rooms: () => string[]; stop: () => Promise<void> };

export async function startAgentsWorker(options: { workerId?: string } = {}): Promise<AgentsWorker> {
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const agents = new Map<string, RoomAgent>();
  const settings = env();

  const takeRoom: Task = async (payload) => {
    const { sessionId } = payload as RoomAgentJob;
    if (agents.has(sessionId) || agents.size >= settings.AGENTS_CONCURRENCY) return;
    const session = await claimSession(sessionId, workerId);
    // Held by a live worker, or the call moved on: nothing to do.
    if (!session) return;
    const agent = new RoomAgent(session, {
      livekit: livekit(),
      noInputMs: settings.IVR_NO_INPUT_MS,
      onStopped: (id) => agents.delete(id),
    });
    agents.set(sessionId, agent);
    try {
      await agent.start();
    } catch (error) {
      await agent.stop('failed');
      // The job fails and is tried again; meanwhile the lease runs out, so any worker may take it.
      throw error;
    }
  };

  await agentJobs();
  const runner: Runner = await run({
    connectionString: databaseUrl(),
    concurrency: 4,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { [ROOM_AGENT_TASK]: takeRoom },
  });

  const stopHeartbeat = startPeriodic('agents', AGENT_HEARTBEAT_MS, async () => {
    const lost = await renewSessions(workerId, [...agents.keys()]);
    for (const id of lost) await agents.get(id)?.stop('lost');
    for (const orphan of await orphanedSessions()) {
      if (!agents.has(orphan.id)) await requestRoomAgent(orphan.id);
    }
  });

  return {
    workerId,
    rooms: () => [...agents.keys()],
    async stop() {
      stopHeartbeat();
      await runner.stop();
      const held = [...agents.keys()];
      await Promise.all([...agents.values()].map((agent) => agent.stop('shutdown')));
      await releaseSessions(workerId, held);
      await closeAgentJobs();
    },
  };
}
