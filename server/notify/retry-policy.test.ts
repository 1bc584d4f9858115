import { describe, expect, it } from 'vitest';
import { backoffSeconds, nextAttemptAt } from './retry-policy';
import { BACKOFF_CAP_SECONDS } from './notify-config';
import { isRetryableStatus } from './twilio-sms-provider';

describe('retry policy', () => {
  it('doubles the wait after each failed attempt, from 30 s, up to a cap', () => {
    expect([1, 2, 3, 4, 5].map(backoffSeconds)).toEqual([30, 60, 120, 240, 480]);
    expect(backoffSeconds(12)).toBe(BACKOFF_CAP_SECONDS);
    expect(backoffSeconds(1000)).toBe(BACKOFF_CAP_SECONDS);
  });

  it('schedules the next attempt from the time of the failure', () => {
    const now = new Date('2026-11-24T10:00:00.000Z');
    expect(nextAttemptAt(now, 2).toISOString()).toBe('2026-11-24T10:01:00.000Z');
  });

  it('retries server errors, rate limits, timeouts and credential problems, not a refused recipient', () => {
    for (const status of [500, 502, 503, 429, 408, 401, 403]) expect(isRetryableStatus(status), String(status)).toBe(true);
    for (const status of [400, 404, 409, 422]) expect(isRetryableStatus(status), String(status)).toBe(false);
  });
});
