import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';

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
});
