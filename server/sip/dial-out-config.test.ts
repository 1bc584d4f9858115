import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/server/env';
import { dialOutAvailability } from './dial-out-config';

const base = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1/db',
  AUTH_SECRET: 'x'.repeat(32),
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'k',
  LIVEKIT_API_SECRET: 's',
};

describe('dial-out configuration', () => {
  it('is off with the reason when no outbound trunk is configured (unset or empty)', () => {
    expect(dialOutAvailability(parseEnv(base))).toEqual({ enabled: false, reason: 'noTrunk' });
    expect(dialOutAvailability(parseEnv({ ...base, SIP_OUTBOUND_TRUNK_ID: '' }))).toEqual({ enabled: false, reason: 'noTrunk' });
  });

  it('is on with the trunk when one is configured', () => {
    expect(dialOutAvailability(parseEnv({ ...base, SIP_OUTBOUND_TRUNK_ID: 'ST_abc123' }))).toEqual({ enabled: true, trunkId: 'ST_abc123' });
  });

  it('refuses a trunk id that is not a LiveKit outbound trunk, and a participant limit below 2', () => {
    expect(() => parseEnv({ ...base, SIP_OUTBOUND_TRUNK_ID: 'trunk-1' })).toThrow(/SIP_OUTBOUND_TRUNK_ID must be a LiveKit outbound trunk id/);
    expect(() => parseEnv({ ...base, CONSULT_MAX_PARTICIPANTS: '1' })).toThrow(/CONSULT_MAX_PARTICIPANTS must be at least 2/);
    expect(parseEnv(base).CONSULT_MAX_PARTICIPANTS).toBe(6);
  });
});
