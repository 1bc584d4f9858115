import { describe, expect, it } from 'vitest';
import { dayBounds, localDate, offsetMinutes, zonedTimeToUtc } from '@/server/shared/zoned';

describe('zoned time', () => {
  it('knows Shanghai is UTC+8 all year', () => {
    expect(offsetMinutes(new Date('2026-01-15T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(offsetMinutes(new Date('2026-07-15T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
  });

  it('gives the clinic-local calendar date, not the UTC one', () => {
    expect(localDate(new Date('2026-11-24T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-25');
    expect(localDate(new Date('2026-11-24T17:30:00Z'), 'Europe/London')).toBe('2026-11-24');
  });

  it('converts wall-clock times to UTC across a daylight-saving change', () => {
    expect(zonedTimeToUtc('2026-11-25', '09:30', 'Asia/Shanghai').toISOString()).toBe('2026-11-25T01:30:00.000Z');
    expect(zonedTimeToUtc('2026-03-29', '12:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T10:00:00.000Z');
    expect(zonedTimeToUtc('2026-03-28', '12:00', 'Europe/Berlin').toISOString()).toBe('2026-03-28T11:00:00.000Z');
  });

  it('bounds the local day, 23 hours long on the spring-forward day', () => {
    const { start, end } = dayBounds(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});
