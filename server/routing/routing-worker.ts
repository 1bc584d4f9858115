import { startPeriodic } from '@/server/workers/periodic';
import { sweep } from './sweeper';

/** Runs the time-driven routing changes every `intervalMs` in this process; returns a stop function. */
export function startRoutingWorker(intervalMs: number): () => void {
  return startPeriodic('routing', intervalMs, sweep);
}
