// Rooms get their agent through a job in PostgreSQL (graphile-worker) that any agents worker can claim.
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { databaseUrl } from '@/server/env';

export const ROOM_AGENT_TASK = 'room-agent';
export type RoomAgentJob = { sessionId: string };

let utils: Promise<WorkerUtils> | undefined;

/** The job queue's client in this process; its schema is installed (or upgraded) on first use. */
export function agentJobs(): Promise<WorkerUtils> {
  utils ??= (async () => {
    const created = await makeWorkerUtils({ connectionString: databaseUrl() });
    await created.migrate();
    return created;
  })().catch((error) => {
    utils = undefined;
    throw error;
  });
  return utils;
}

/**
 * Asks for an agent in the session's room. Asking again while a request waits replaces it, so a room never
 * has two requests queued; a worker that gets one for a room another worker holds leaves it (claimSession).
 */
export async function requestRoomAgent(sessionId: string): Promise<void> {
  const jobs = await agentJobs();
  const payload: RoomAgentJob = { sessionId };
  await jobs.addJob(ROOM_AGENT_TASK, payload, { jobKey: `room-agent:${sessionId}`, jobKeyMode: 'replace', maxAttempts: 3 });
}

export async function closeAgentJobs(): Promise<void> {
  const pending = utils;
  utils = undefined;
  if (pending) await (await pending).release();
}
