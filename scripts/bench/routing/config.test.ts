import { describe, expect, it } from 'vitest';
import { BenchConfigError, parseBenchConfig } from './config';

const problems = (source: Record<string, string>) => {
  try {
    parseBenchConfig(source);
  } catch (error) {
    if (error instanceof BenchConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the settings to be refused');
};

describe('routing benchmark settings', () => {
  it('has the documented defaults, and ignores variables that are not BENCH_*', () => {
    expect(parseBenchConfig({ PATH: '/usr/bin', BENCH_PROFILE: '' })).toEqual({
      clinicians: 1000,
      tasks: 10_000,
      workers: 32,
      rounds: 5,
      tpsSeconds: 5,
      keep: false,
      sweep: true,
      statements: false,
      profile: null,
      waitingRooms: 0,
      history: 200_000,
      pgLog: null,
      pgSettings: {},
    });
  });

  it('reads every setting', () => {
    expect(
      parseBenchConfig({
        BENCH_CLINICIANS: '100',
        BENCH_TASKS: '600',
        BENCH_WORKERS: '8',
        BENCH_ROUNDS: '6',
        BENCH_TPS_SECONDS: '2',
        BENCH_KEEP: '1',
        BENCH_SWEEP: '0',
        BENCH_STATEMENTS: '1',
        BENCH_PROFILE: 'drive.cpuprofile',
        BENCH_WAITING_ROOMS: '0',
        BENCH_HISTORY: '0',
        BENCH_PG_LOG: 'pg.log',
        BENCH_PG_SETTINGS: 'synchronous_commit=off  auto_explain.log_min_duration=0',
      }),
    ).toEqual({
      clinicians: 100,
      tasks: 600,
      workers: 8,
      rounds: 6,
      tpsSeconds: 2,
      keep: true,
      sweep: false,
      statements: true,
      profile: 'drive.cpuprofile',
      waitingRooms: 0,
      history: 0,
      pgLog: 'pg.log',
      pgSettings: { synchronous_commit: 'off', 'auto_explain.log_min_duration': '0' },
    });
  });

  it('names every bad value, and an unknown BENCH_* name, in one error', () => {
    expect(problems({ BENCH_WORKERS: 'abc', BENCH_ROUNDS: '0', BENCH_KEEP: 'yes', BENCH_PG_SETTINGS: 'fsync', BENCH_WORKER: '8' })).toEqual([
      'BENCH_WORKERS must be a whole number of at least 1 (got "abc")',
      'BENCH_ROUNDS must be at least 1 (got "0")',
      'BENCH_KEEP must be 0 or 1 (got "yes")',
      'BENCH_PG_SETTINGS must be name=value pairs separated by spaces, with no space in a value (got "fsync")',
      expect.stringMatching(/^BENCH_WORKER: not a setting of this benchmark \(its settings: BENCH_CLINICIANS, .*BENCH_WORKERS/),
    ]);
  });

  it('refuses a run that cannot be driven', () => {
    expect(problems({ BENCH_ROUNDS: '20' })).toEqual([
      'BENCH_ROUNDS x BENCH_CLINICIANS (20000) exceeds BENCH_TASKS (10000): every cycle needs its own waiting task',
    ]);
    expect(problems({ BENCH_CLINICIANS: '10', BENCH_TASKS: '50' })).toEqual([
      'BENCH_WORKERS (32) exceeds BENCH_CLINICIANS (10): a clinician runs one cycle at a time',
    ]);
  });
});
