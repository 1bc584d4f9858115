// Pure arithmetic of the capacity benchmark: percentiles, received-frame meters with stall detection,
// and the verdict of one step. No clocks are read here: every time is passed in (milliseconds).

/** Nearest-rank percentile of unsorted values; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/**
 * Counts the frames one subscriber receives on one remote track and remembers the longest gap
 * without a frame. A window (`openWindow` .. `closeWindow`) gives the frame rate and the longest
 * gap inside it; the gap still open at the end of the window counts too, so a track that stopped
 * for good is seen as stalled even though no frame arrives to close the gap.
 */
export class FrameMeter {
  private lastFrameAt: number | undefined;
  private windowStart = 0;
  private windowFrames = 0;
  private windowMaxGap = 0;
  private totalFrames = 0;

  constructor(readonly label: string) {}

  get frames(): number {
    return this.totalFrames;
  }

  get firstFrameSeen(): boolean {
    return this.lastFrameAt !== undefined;
  }

  frame(at: number): void {
    if (this.lastFrameAt !== undefined) {
      const gapStart = Math.max(this.lastFrameAt, this.windowStart);
      this.windowMaxGap = Math.max(this.windowMaxGap, at - gapStart);
    }
    this.lastFrameAt = at;
    this.totalFrames += 1;
    if (at >= this.windowStart) this.windowFrames += 1;
  }

  openWindow(at: number): void {
    this.windowStart = at;
    this.windowFrames = 0;
    this.windowMaxGap = 0;
  }

  /** Frames per second and the longest gap (ms) inside the window that ends at `at`. */
  closeWindow(at: number): { fps: number; maxGapMs: number } {
    const seconds = (at - this.windowStart) / 1000;
    const openGap = at - Math.max(this.lastFrameAt ?? this.windowStart, this.windowStart);
    return {
      fps: seconds > 0 ? this.windowFrames / seconds : 0,
      maxGapMs: Math.max(this.windowMaxGap, openGap),
    };
  }
}

export type StepLimits = { p95Ms: number; stallMs: number; maxErrorRate: number };

export type StepFigures = {
  consults: number;
  participants: number;
  requests: number;
  errors: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  minVideoFps: number;
  minAudioFps: number;
  /** Tracks (one subscriber, one remote track) whose longest gap exceeded the stall limit. */
  stalls: number;
  /** Consults whose media never started flowing in every direction. */
  failedJoins: number;
};

/** Why a step does not meet the limits; an empty list means it does. */
export function stepProblems(step: StepFigures, limits: StepLimits): string[] {
  const problems: string[] = [];
  if (step.p95Ms === undefined) problems.push('no web requests were measured');
  else if (step.p95Ms > limits.p95Ms) problems.push(`web p95 ${Math.round(step.p95Ms)} ms > ${limits.p95Ms} ms`);
  if (step.requests > 0 && step.errors / step.requests > limits.maxErrorRate) {
    problems.push(`${step.errors} of ${step.requests} web requests failed`);
  }
  if (step.stalls > 0) problems.push(`${step.stalls} received track(s) stalled for more than ${limits.stallMs} ms`);
  if (step.failedJoins > 0) problems.push(`${step.failedJoins} consult(s) never got media flowing in every direction`);
  return problems;
}

/** The RESULT line: the last step that met the limits (0 consults when none did). */
export function resultLine(steps: readonly { figures: StepFigures; problems: string[] }[]): string {
  let best: StepFigures | undefined;
  for (const step of steps) {
    if (step.problems.length > 0) break;
    best = step.figures;
  }
  if (!best) {
    const first = steps[0]?.figures.p95Ms;
    return `RESULT max_consults=0 web_p95_ms=${first === undefined ? 0 : Math.round(first)}`;
  }
  return `RESULT max_consults=${best.consults} web_p95_ms=${Math.round(best.p95Ms ?? 0)}`;
}

/** Root mean square of 16-bit samples, to tell the published tone from silence or concealment. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}
