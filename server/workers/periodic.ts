/**
 * Runs `work` every `intervalMs` in this process, never two rounds at once (a slow round delays the next
 * instead of piling up); a failed round is logged under `name` and the next one runs as usual. The timer does
 * not keep the process alive. Returns a stop function.
 */
export function startPeriodic(name: string, intervalMs: number, work: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      console.error(`[${name}] round failed:`, (error as Error).message);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
