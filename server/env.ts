import { z } from 'zod';

/** `NAME=` in an env file means "not set". */
const unsetIfEmpty = <T extends z.ZodType>(inner: T) => z.preprocess((value) => (value === '' ? undefined : value), inner);

// The one place that reads process.env: every setting is validated once, at start-up.
const databaseUrlSchema = z
  .string({ error: 'DATABASE_URL is missing: set it to a postgres:// connection string' })
  .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: databaseUrlSchema,
  AUTH_SECRET: z
    .string({ error: 'AUTH_SECRET is missing: generate one with `openssl rand -base64 32`' })
    .min(32, 'AUTH_SECRET must be at least 32 characters long'),
  APP_URL: z.url('APP_URL must be a full URL such as http://127.0.0.1:3000').default('http://127.0.0.1:3000'),
  LIVEKIT_URL: z
    .string({ error: 'LIVEKIT_URL is missing: the ws:// or wss:// address of the LiveKit server' })
    .regex(/^wss?:\/\//, 'LIVEKIT_URL must start with ws:// or wss://'),
  LIVEKIT_API_KEY: z.string({ error: 'LIVEKIT_API_KEY is missing' }).min(1, 'LIVEKIT_API_KEY is empty'),
  LIVEKIT_API_SECRET: z.string({ error: 'LIVEKIT_API_SECRET is missing' }).min(1, 'LIVEKIT_API_SECRET is empty'),
  LIVEKIT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(600).default(600),
  ACCESS_LINK_MAX_FAILED_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** 0 turns the routing sweeper off in this process (another process must run it). */
  ROUTING_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * `twilio` sends text messages; `dev` writes them (working links and codes included) to the server log and
   * accepts unsigned SMS webhooks. Unset: `dev`, except in production, where it must be set (see below).
   */
  SMS_PROVIDER: unsetIfEmpty(z.enum(['dev', 'twilio'], { error: 'SMS_PROVIDER must be dev or twilio' }).optional()),
  /** `1` lets a production build (`next start`) run with SMS_PROVIDER=dev: for demos and test stacks only. */
  ALLOW_DEV_SMS_IN_PRODUCTION: unsetIfEmpty(z.enum(['0', '1'], { error: 'ALLOW_DEV_SMS_IN_PRODUCTION must be 1 (or 0, or unset)' }).optional()).transform(
    (value) => value === '1',
  ),
  TWILIO_ACCOUNT_SID: unsetIfEmpty(z.string().optional()),
  TWILIO_AUTH_TOKEN: unsetIfEmpty(z.string().optional()),
  TWILIO_FROM_NUMBER: unsetIfEmpty(
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'TWILIO_FROM_NUMBER must be an E.164 number such as +14155550100')
      .optional(),
  ),
  /** Any Twilio-compatible API; tests point it at a local server. */
  TWILIO_BASE_URL: z.url('TWILIO_BASE_URL must be a full URL such as https://api.twilio.com').default('https://api.twilio.com'),
  /** One provider call; must stay well under the 60 s claim on a message. */
  SMS_SEND_TIMEOUT_MS: z.coerce.number().int().min(1000).max(30_000).default(10_000),
  /** 0 turns the SMS outbox worker off in this process (another process must run it). */
  SMS_WORKER_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** The FHIR R4 base URL holding the clinical data (the embedded server in the demo and tests, or the clinic's EHR). */
  FHIR_BASE_URL: unsetIfEmpty(z.url('FHIR_BASE_URL must be a full URL such as https://ehr.example.org/fhir/R4').optional()),
  /** One FHIR request (each retry has its own). */
  FHIR_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(8000),
  /** SMART Backend Services: set FHIR_CLIENT_ID and FHIR_PRIVATE_KEY to have every request carry a bearer token. */
  FHIR_CLIENT_ID: unsetIfEmpty(z.string().optional()),
  /** The client's private key as a JWK (JSON) or PKCS#8 PEM; its public key is registered with the EHR. */
  FHIR_PRIVATE_KEY: unsetIfEmpty(z.string().optional()),
  FHIR_KEY_ID: unsetIfEmpty(z.string().optional()),
  FHIR_SIGNING_ALG: z.enum(['RS384', 'ES384'], { error: 'FHIR_SIGNING_ALG must be RS384 or ES384' }).default('RS384'),
  FHIR_SCOPES: z
    .string()
    .default(
      'system/Patient.rs system/Observation.crs system/Condition.rs system/MedicationRequest.rs system/AllergyIntolerance.rs system/Encounter.crus system/DocumentReference.crs',
    ),
  /** Overrides the token endpoint found in <FHIR_BASE_URL>/.well-known/smart-configuration. */
  FHIR_TOKEN_URL: unsetIfEmpty(z.url('FHIR_TOKEN_URL must be a full URL').optional()),
  /** 0 turns off, in this process, the worker that stores queued FHIR writes (home vitals, visit notes). */
  FHIR_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** Most people (and phone lines) in one consult room at once. */
  CONSULT_MAX_PARTICIPANTS: z.coerce.number().int().min(2, 'CONSULT_MAX_PARTICIPANTS must be at least 2').max(12).default(6),
  /** Where the agents keep rendered prompts (speech is synthesized once per prompt, never per call). */
  MEDIA_CACHE_DIR: z.string().min(1).default('.data/media-cache'),
  /** Waiting-room clips (house-format MP4) the ringback agent plays; the demo seeds two here. */
  WAITING_MEDIA_DIR: z.string().min(1).default('.data/media/waiting'),
  /** Silence after a menu prompt before the agent counts it as no input. */
  IVR_NO_INPUT_MS: z.coerce.number().int().min(1000).max(60_000).default(8000),
  /** Rooms one agents worker takes at once. */
  AGENTS_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
  /** 0: no phone line (no SIP bridge runs); the clinics' lines are not provisioned in LiveKit. */
  SIP_ENABLED: z.enum(['0', '1']).default('1'),
  /** The SIP bridge's port on this machine: what the demo and the admin screen tell callers to dial. */
  SIP_PORT: z.coerce.number().int().min(1).max(65535).default(5060),
  /** A LiveKit SIP outbound trunk (ST_...): set, clinicians can dial a phone number into a consult. */
  SIP_OUTBOUND_TRUNK_ID: unsetIfEmpty(
    z
      .string()
      .regex(/^ST_\w+$/, 'SIP_OUTBOUND_TRUNK_ID must be a LiveKit outbound trunk id (ST_...)')
      .optional(),
  ),
});

const TWILIO_REQUIRED = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'] as const;

/** Settings that are only required together with another one (checked even when other settings are wrong). */
function dependentProblems(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (source.NODE_ENV === 'production') {
    // A real deployment must never fall back to the dev provider: only an explicit demo setting allows it.
    if (!source.SMS_PROVIDER) {
      problems.push(
        'SMS_PROVIDER is missing: in production set SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER (for a demo only: SMS_PROVIDER=dev with ALLOW_DEV_SMS_IN_PRODUCTION=1)',
      );
    } else if (source.SMS_PROVIDER === 'dev' && source.ALLOW_DEV_SMS_IN_PRODUCTION !== '1') {
      problems.push(
        'SMS_PROVIDER=dev is refused in production: it writes every text, with working links and codes, to the server log and accepts unsigned SMS webhooks. Set SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or for a demo only add ALLOW_DEV_SMS_IN_PRODUCTION=1',
      );
    }
  }
  if (source.SMS_PROVIDER === 'twilio') {
    problems.push(...TWILIO_REQUIRED.filter((name) => !source[name]).map((name) => `${name} is missing: SMS_PROVIDER=twilio needs it`));
  }
  if (source.FHIR_CLIENT_ID && !source.FHIR_PRIVATE_KEY) problems.push('FHIR_PRIVATE_KEY is missing: FHIR_CLIENT_ID (SMART Backend Services) needs it');
  if (source.FHIR_PRIVATE_KEY && !source.FHIR_CLIENT_ID) problems.push('FHIR_CLIENT_ID is missing: FHIR_PRIVATE_KEY (SMART Backend Services) needs it');
  if ((source.FHIR_CLIENT_ID || source.FHIR_PRIVATE_KEY) && !source.FHIR_BASE_URL)
    problems.push('FHIR_BASE_URL is missing: SMART Backend Services needs the FHIR server it signs in to');
  return problems;
}

const settings = schema.transform(({ SMS_PROVIDER, ...rest }) => ({ ...rest, SMS_PROVIDER: SMS_PROVIDER ?? ('dev' as const) }));

export type Env = z.infer<typeof settings>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Revisit is not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = settings.safeParse(source);
  const problems = [...(result.success ? [] : result.error.issues.map((issue) => issue.message)), ...dependentProblems(source)];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

let cached: Env | undefined;

/** For a process's entry point: a misconfigured deployment stops at once with the readable list, nothing else. */
export function exitOnConfigError(): void {
  try {
    env();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * The database alone, for every connection the process opens (the Prisma client, the routing pool, the
 * routing listener). Read when first connecting, so scripts and tests that start their own PostgreSQL can
 * set DATABASE_URL before that, and without the web app's other settings.
 */
export function databaseUrl(): string {
  const result = databaseUrlSchema.safeParse(process.env.DATABASE_URL);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  return result.data;
}

/** Production with the dev SMS provider, allowed by ALLOW_DEV_SMS_IN_PRODUCTION=1 (a demo or a test stack). */
export const isDevSmsInProduction = (settings: Env) => settings.NODE_ENV === 'production' && settings.SMS_PROVIDER === 'dev';

/** Whether this process runs a production build (read without the other settings, like databaseUrl). */
export const isProduction = () => process.env.NODE_ENV === 'production';
