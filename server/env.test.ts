import { describe, expect, it } from 'vitest';
import { ConfigError, isDevSmsInProduction, parseEnv } from './env';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/revisit',
  AUTH_SECRET: 'x'.repeat(32),
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'secret',
};

describe('configuration', () => {
  it('accepts a complete configuration and fills defaults', () => {
    const env = parseEnv(valid);
    expect(env.LIVEKIT_TOKEN_TTL_SECONDS).toBe(600);
    expect(env.ACCESS_LINK_MAX_FAILED_ATTEMPTS).toBe(5);
  });

  it('lists every problem in words a person can act on', () => {
    try {
      parseEnv({ DATABASE_URL: 'mysql://x', AUTH_SECRET: 'short' });
      expect.unreachable('parseEnv should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('DATABASE_URL must start with postgres://');
      expect(message).toContain('AUTH_SECRET must be at least 32 characters');
      expect(message).toContain('LIVEKIT_URL is missing');
      expect(message).toContain('LIVEKIT_API_KEY is missing');
    }
  });

  it('refuses a token lifetime over ten minutes', () => {
    expect(() => parseEnv({ ...valid, LIVEKIT_TOKEN_TTL_SECONDS: '3600' })).toThrow(ConfigError);
  });

  it('sends text messages through the dev provider unless Twilio is configured completely', () => {
    const dev = parseEnv(valid);
    expect(dev.SMS_PROVIDER).toBe('dev');
    expect(dev.SMS_WORKER_INTERVAL_MS).toBe(2000);
    expect(() => parseEnv({ ...valid, SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC123', TWILIO_FROM_NUMBER: '' })).toThrow(
      /TWILIO_AUTH_TOKEN is missing: SMS_PROVIDER=twilio needs it\n.*TWILIO_FROM_NUMBER is missing/,
    );
    const twilio = parseEnv({ ...valid, SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+14155550100' });
    expect(twilio.TWILIO_BASE_URL).toBe('https://api.twilio.com');
    expect(() => parseEnv({ ...valid, SMS_PROVIDER: 'carrier-pigeon' })).toThrow('SMS_PROVIDER must be dev or twilio');
  });

  it('refuses to start a production build without a real SMS provider', () => {
    const production = { ...valid, NODE_ENV: 'production' };
    expect(() => parseEnv(production)).toThrow(
      'SMS_PROVIDER is missing: in production set SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER (for a demo only: SMS_PROVIDER=dev with ALLOW_DEV_SMS_IN_PRODUCTION=1)',
    );
    expect(() => parseEnv({ ...production, SMS_PROVIDER: '' })).toThrow('SMS_PROVIDER is missing');
    // The dev provider logs working links and codes and accepts unsigned webhooks: refused, however it is asked for.
    for (const allow of [undefined, '', '0']) {
      expect(() => parseEnv({ ...production, SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: allow })).toThrow(
        'SMS_PROVIDER=dev is refused in production: it writes every text, with working links and codes, to the server log and accepts unsigned SMS webhooks.',
      );
    }
    expect(() => parseEnv({ ...production, ALLOW_DEV_SMS_IN_PRODUCTION: '1' })).toThrow('SMS_PROVIDER is missing');
    expect(() => parseEnv({ ...production, SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: 'yes' })).toThrow(
      'ALLOW_DEV_SMS_IN_PRODUCTION must be 1 (or 0, or unset)',
    );
    const twilio = parseEnv({
      ...production,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM_NUMBER: '+14155550100',
    });
    expect(twilio).toMatchObject({ SMS_PROVIDER: 'twilio', ALLOW_DEV_SMS_IN_PRODUCTION: false });
    expect(isDevSmsInProduction(twilio)).toBe(false);
  });

  it('runs a production build with the dev SMS provider only when the demo setting says so explicitly', () => {
    const demo = parseEnv({ ...valid, NODE_ENV: 'production', SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: '1' });
    expect(demo).toMatchObject({ SMS_PROVIDER: 'dev', ALLOW_DEV_SMS_IN_PRODUCTION: true });
    expect(isDevSmsInProduction(demo)).toBe(true);
    // Development and tests keep the dev provider as the default, without the setting.
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const local = parseEnv({ ...valid, NODE_ENV });
      expect(local.SMS_PROVIDER).toBe('dev');
      expect(isDevSmsInProduction(local)).toBe(false);
    }
  });

  it('takes an optional FHIR server, and SMART settings only complete and with that server', () => {
    expect(parseEnv(valid).FHIR_BASE_URL).toBeUndefined();
    const fhir = parseEnv({ ...valid, FHIR_BASE_URL: 'https://ehr.example.org/fhir/R4', FHIR_CLIENT_ID: 'revisit', FHIR_PRIVATE_KEY: '{"kty":"RSA"}' });
    expect(fhir.FHIR_SIGNING_ALG).toBe('RS384');
    expect(fhir.FHIR_TIMEOUT_MS).toBe(8000);
    expect(() => parseEnv({ ...valid, FHIR_BASE_URL: 'ehr.example.org' })).toThrow('FHIR_BASE_URL must be a full URL');
    expect(() => parseEnv({ ...valid, FHIR_BASE_URL: 'https://ehr.example.org/fhir', FHIR_CLIENT_ID: 'revisit' })).toThrow(
      'FHIR_PRIVATE_KEY is missing: FHIR_CLIENT_ID (SMART Backend Services) needs it',
    );
    expect(() => parseEnv({ ...valid, FHIR_CLIENT_ID: 'revisit', FHIR_PRIVATE_KEY: 'k' })).toThrow('FHIR_BASE_URL is missing');
    expect(() => parseEnv({ ...valid, FHIR_BASE_URL: 'https://ehr.example.org/fhir', FHIR_SIGNING_ALG: 'HS256' })).toThrow(
      'FHIR_SIGNING_ALG must be RS384 or ES384',
    );
  });
});
