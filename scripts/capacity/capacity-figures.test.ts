import { describe, expect, it } from 'vitest';
import { FrameMeter, percentile, resultLine, rms, stepProblems, type StepFigures } from './capacity-figures';

const limits = { p95Ms: 500, stallMs: 2000, maxErrorRate: 0.01 };
const healthy: StepFigures = {
  consults: 3,
  participants: 9,
  requests: 200,
  errors: 0,
  p50Ms: 40,
  p95Ms: 120,
  minVideoFps: 14.6,
  minAudioFps: 49,
  stalls: 0,
  failedJoins: 0,
};

describe('percentile', () => {
  it('uses the nearest rank on unsorted values', () => {
    const values = [50, 10, 40, 20, 30, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(100);
    expect(percentile(values, 10)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
  });

  it('has no value for no samples and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 95)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('FrameMeter', () => {
  it('gives the frame rate and longest gap inside the window only', () => {
    const meter = new FrameMeter('video');
    meter.frame(0);
    meter.frame(3000); // a 3 s gap before the window opens is not this window's business
    meter.openWindow(3000);
    for (let t = 3000 + 100; t <= 5000; t += 100) meter.frame(t);
    const { fps, maxGapMs } = meter.closeWindow(5000);
    expect(fps).toBe(10);
    expect(maxGapMs).toBe(100);
  });

  it('counts a gap that started before the window only from the window start', () => {
    const meter = new FrameMeter('video');
    meter.frame(0);
    meter.openWindow(1000);
    meter.frame(2500);
    expect(meter.closeWindow(2600).maxGapMs).toBe(1500);
  });

  it('sees a track that stopped for good as one long open gap', () => {
    const meter = new FrameMeter('audio');
    meter.openWindow(0);
    meter.frame(100);
    meter.frame(200);
    const { fps, maxGapMs } = meter.closeWindow(10_000);
    expect(maxGapMs).toBe(9800);
    expect(fps).toBeCloseTo(0.2);
  });

  it('treats a track that never delivered a frame as stalled for the whole window', () => {
    const meter = new FrameMeter('video');
    meter.openWindow(1000);
    expect(meter.firstFrameSeen).toBe(false);
    expect(meter.closeWindow(4000)).toEqual({ fps: 0, maxGapMs: 3000 });
  });
});

describe('stepProblems and resultLine', () => {
  it('accepts a step within the limits and names each limit a step breaks', () => {
    expect(stepProblems(healthy, limits)).toEqual([]);
    const bad = { ...healthy, p95Ms: 612.4, errors: 5, stalls: 2, failedJoins: 1 };
    const problems = stepProblems(bad, limits);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('web p95 612 ms > 500 ms');
  });

  it('reports the last step that met the limits, ignoring later steps', () => {
    const steps = [
      { figures: { ...healthy, consults: 1, p95Ms: 80.2 }, problems: [] },
      { figures: { ...healthy, consults: 2, p95Ms: 140.6 }, problems: [] },
      { figures: { ...healthy, consults: 3, p95Ms: 700 }, problems: ['web p95 700 ms > 500 ms'] },
      { figures: { ...healthy, consults: 4, p95Ms: 300 }, problems: [] },
    ];
    expect(resultLine(steps)).toBe('RESULT max_consults=2 web_p95_ms=141');
    expect(resultLine([steps[2]!])).toBe('RESULT max_consults=0 web_p95_ms=700');
  });
});

describe('rms', () => {
  it('tells a tone from silence', () => {
    const tone = Int16Array.from({ length: 480 }, (_, i) => Math.round(10_000 * Math.sin((2 * Math.PI * 440 * i) / 48_000)));
    expect(rms(tone)).toBeGreaterThan(6900);
    expect(rms(tone)).toBeLessThan(7200);
    expect(rms(new Int16Array(480))).toBe(0);
  });
});
