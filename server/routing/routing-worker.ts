import { sweep } from './sweeper';

/** Runs the time-driven routing changes every `intervalMs` in this process; returns a stop function. */
export function startRoutingWorker(intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await sweep();
    } catch (error) {
      console.error('[routing] sweep failed:', (error as Error).message);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
