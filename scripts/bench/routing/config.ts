// The routing benchmark's settings: every BENCH_* variable, checked once before anything starts.
import { z } from 'zod';

/** `BENCH_X=` means "not set", as in the app's env files. */
const unsetIfEmpty = <T extends z.ZodType>(inner: T) => z.preprocess((value) => (value === '' ? undefined : value), inner);

const wholeNumber = (name: string, min: number, fallback: number) =>
  unsetIfEmpty(
    z
      .string()
      .regex(/^\d+$/, `${name} must be a whole number of at least ${min}`)
      .transform(Number)
      .pipe(z.number().min(min, `${name} must be at least ${min}`))
      .default(fallback),
  );

const flag = (name: string, fallback: boolean) =>
  unsetIfEmpty(
    z
      .enum(['0', '1'], { error: `${name} must be 0 or 1` })
      .transform((value) => value === '1')
      .default(fallback),
  );

const file = () => unsetIfEmpty(z.string().optional()).transform((value) => value ?? null);

/** `name=value name=value ...`, each value without spaces. */
const serverSettings = unsetIfEmpty(
  z
    .string()
    .default('')
    .transform((text, ctx) => {
      const settings: Record<string, string> = {};
      for (const pair of text.split(/\s+/).filter(Boolean)) {
        const match = /^([A-Za-z_][\w.]*)=(.*)$/.exec(pair);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `BENCH_PG_SETTINGS must be name=value pairs separated by spaces, with no space in a value` });
          return z.NEVER;
        }
        settings[match[1]!] = match[2]!;
      }
      return settings;
    }),
);

const settings = z.strictObject({
  BENCH_CLINICIANS: wholeNumber('BENCH_CLINICIANS', 1, 1000),
  BENCH_TASKS: wholeNumber('BENCH_TASKS', 1, 10_000),
  /** Concurrent clinicians in the drive (see docs/routing-benchmark.md, "Why 32 workers"). */
  BENCH_WORKERS: wholeNumber('BENCH_WORKERS', 1, 32),
  /** Cycles per clinician. */
  BENCH_ROUNDS: wholeNumber('BENCH_ROUNDS', 1, 5),
  BENCH_TPS_SECONDS: wholeNumber('BENCH_TPS_SECONDS', 1, 5),
  /** Keeps the data directory under .data/bench. */
  BENCH_KEEP: flag('BENCH_KEEP', false),
  /** 0 turns the sweeper off. */
  BENCH_SWEEP: flag('BENCH_SWEEP', true),
  /** Loads pg_stat_statements and prints where PostgreSQL spent its time during the drive. */
  BENCH_STATEMENTS: flag('BENCH_STATEMENTS', false),
  /** A file to write this process's CPU profile of the drive to (open it in Chrome DevTools). */
  BENCH_PROFILE: file(),
  /** Waiting rooms open during the drive (patients spread over the whole line). */
  BENCH_WAITING_ROOMS: wholeNumber('BENCH_WAITING_ROOMS', 0, 0),
  /** Finished consults added after the drive, to time the reads over history (0: skip). */
  BENCH_HISTORY: wholeNumber('BENCH_HISTORY', 0, 200_000),
  /** A file PostgreSQL's log is appended to. */
  BENCH_PG_LOG: file(),
  /** Extra server settings for experiments, e.g. `synchronous_commit=off`. */
  BENCH_PG_SETTINGS: serverSettings,
});

const schema = settings
  .check((ctx) => {
    // Only once every setting is valid on its own.
    if (ctx.issues.length > 0) return;
    const v = ctx.value;
    const cycles = v.BENCH_ROUNDS * v.BENCH_CLINICIANS;
    if (cycles > v.BENCH_TASKS) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message: `BENCH_ROUNDS x BENCH_CLINICIANS (${cycles}) exceeds BENCH_TASKS (${v.BENCH_TASKS}): every cycle needs its own waiting task`,
      });
    }
    if (v.BENCH_WORKERS > v.BENCH_CLINICIANS) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message: `BENCH_WORKERS (${v.BENCH_WORKERS}) exceeds BENCH_CLINICIANS (${v.BENCH_CLINICIANS}): a clinician runs one cycle at a time`,
      });
    }
  })
  .transform((v) => ({
    clinicians: v.BENCH_CLINICIANS,
    tasks: v.BENCH_TASKS,
    workers: v.BENCH_WORKERS,
    rounds: v.BENCH_ROUNDS,
    tpsSeconds: v.BENCH_TPS_SECONDS,
    keep: v.BENCH_KEEP,
    sweep: v.BENCH_SWEEP,
    statements: v.BENCH_STATEMENTS,
    profile: v.BENCH_PROFILE,
    waitingRooms: v.BENCH_WAITING_ROOMS,
    history: v.BENCH_HISTORY,
    pgLog: v.BENCH_PG_LOG,
    pgSettings: v.BENCH_PG_SETTINGS,
  }));

export type BenchConfig = z.infer<typeof schema>;

export const BENCH_SETTINGS = Object.keys(settings.shape) as (keyof typeof settings.shape)[];

export class BenchConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`the routing benchmark's settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BenchConfigError';
  }
}

/** The benchmark's settings from the BENCH_* variables of `source`; an unknown BENCH_* name is an error too (a typo would otherwise measure the default). */
export function parseBenchConfig(source: Record<string, string | undefined>): BenchConfig {
  const bench = Object.fromEntries(Object.entries(source).filter(([name]) => name.startsWith('BENCH_')));
  const result = schema.safeParse(bench);
  if (result.success) return result.data;
  throw new BenchConfigError(
    result.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')}: not a setting of this benchmark (its settings: ${BENCH_SETTINGS.join(', ')})`
        : issue.path.length === 1 && typeof issue.path[0] === 'string'
          ? `${issue.message} (got "${bench[issue.path[0]]}")`
          : issue.message,
    ),
  );
}
