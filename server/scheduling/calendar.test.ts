import { describe, expect, it } from 'vitest';
import { addDays, computeFreeSlots, groupByLocalDate, isOnSlotGrid, isWithinWorkingHours, weekStart, workingHoursOf } from '@/server/shared/calendar';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('clinic calendar', () => {
  it('counts weeks from Monday and knows Sunday is closed', () => {
    expect(weekStart('2026-12-02')).toBe('2026-11-30'); // a Wednesday
    expect(weekStart('2026-11-30')).toBe('2026-11-30'); // a Monday
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // a Sunday belongs to the week before
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(workingHoursOf('2026-12-06', 'Asia/Shanghai')).toBeNull();
    expect(workingHoursOf('2026-12-05', 'Asia/Shanghai')).not.toBeNull(); // Saturday
  });

  it('keeps visits inside 08:00–18:00 clinic time', () => {
    const tz = 'Asia/Shanghai';
    expect(isWithinWorkingHours({ startsAt: new Date('2026-11-30T00:00:00Z'), durationMinutes: 30 }, tz)).toBe(true); // 08:00
    expect(isWithinWorkingHours({ startsAt: new Date('2026-11-29T23:45:00Z'), durationMinutes: 30 }, tz)).toBe(false); // 07:45
    expect(isWithinWorkingHours({ startsAt: new Date('2026-11-30T09:30:00Z'), durationMinutes: 30 }, tz)).toBe(true); // 17:30–18:00
    expect(isWithinWorkingHours({ startsAt: new Date('2026-11-30T09:45:00Z'), durationMinutes: 30 }, tz)).toBe(false); // ends 18:15
    expect(isWithinWorkingHours({ startsAt: new Date('2026-12-06T02:00:00Z'), durationMinutes: 15 }, tz)).toBe(false); // Sunday
    expect(isOnSlotGrid(new Date('2026-11-30T01:15:00Z'), tz)).toBe(true);
    expect(isOnSlotGrid(new Date('2026-11-30T01:10:00Z'), tz)).toBe(false);
  });
});

describe('computeFreeSlots', () => {
  it('offers every 15 minutes of a Shanghai working day, in UTC, and skips Sunday', () => {
    const slots = computeFreeSlots({
      timeZone: 'Asia/Shanghai',
      from: new Date('2026-11-29T00:00:00Z'), // Sunday 08:00 in Shanghai
      now: new Date('2026-11-29T00:00:00Z'),
      days: 2,
      durationMinutes: 15,
      busy: [],
    });
    expect(slots).toHaveLength(40);
    expect(slots[0]!.toISOString()).toBe('2026-11-30T00:00:00.000Z'); // Monday 08:00
    expect(slots.at(-1)!.toISOString()).toBe('2026-11-30T09:45:00.000Z'); // 17:45, ends at 18:00
  });

  it('leaves out times that would overlap a booked visit, for the whole length of the new one', () => {
    const slots = computeFreeSlots({
      timeZone: 'Asia/Shanghai',
      from: new Date('2026-11-30T00:00:00Z'),
      now: new Date('2026-11-29T00:00:00Z'),
      days: 1,
      durationMinutes: 30,
      busy: [{ startsAt: new Date('2026-11-30T01:00:00Z'), durationMinutes: 30 }], // 09:00–09:30
    });
    const morning = iso(slots).slice(0, 6);
    expect(morning).toEqual([
      '2026-11-30T00:00:00.000Z', // 08:00
      '2026-11-30T00:15:00.000Z',
      '2026-11-30T00:30:00.000Z', // 08:30–09:00 touches but does not overlap
      // 08:45, 09:00 and 09:15 would overlap 09:00–09:30
      '2026-11-30T01:30:00.000Z',
      '2026-11-30T01:45:00.000Z',
      '2026-11-30T02:00:00.000Z',
    ]);
    expect(slots.at(-1)!.toISOString()).toBe('2026-11-30T09:30:00.000Z'); // 17:30, the last 30-minute slot
  });

  it('never offers a time that has passed', () => {
    const slots = computeFreeSlots({
      timeZone: 'Asia/Shanghai',
      from: new Date('2026-11-30T02:07:00Z'), // Monday 10:07
      now: new Date('2026-11-30T02:07:00Z'),
      days: 1,
      durationMinutes: 15,
      busy: [],
    });
    expect(slots[0]!.toISOString()).toBe('2026-11-30T02:15:00.000Z'); // 10:15
  });

  it('follows New York across the end of daylight saving time', () => {
    const slots = computeFreeSlots({
      timeZone: 'America/New_York',
      from: new Date('2026-10-31T04:00:00Z'), // Saturday 00:00 EDT
      now: new Date('2026-10-30T00:00:00Z'),
      days: 3,
      durationMinutes: 15,
      busy: [],
    });
    const days = groupByLocalDate(slots, 'America/New_York');
    expect(days.map((d) => d.date)).toEqual(['2026-10-31', '2026-11-02']); // Sunday 1 November is closed
    expect(days[0]!.slots[0]!.toISOString()).toBe('2026-10-31T12:00:00.000Z'); // 08:00 EDT (UTC-4)
    expect(days[1]!.slots[0]!.toISOString()).toBe('2026-11-02T13:00:00.000Z'); // 08:00 EST (UTC-5)
    expect(days[1]!.slots).toHaveLength(40);
  });

  it('groups by the clinic’s calendar day when that differs from the UTC one', () => {
    // Los Angeles: the afternoon is already the next day in UTC.
    const la = computeFreeSlots({
      timeZone: 'America/Los_Angeles',
      from: new Date('2026-12-01T08:00:00Z'), // Tuesday 00:00 PST
      now: new Date('2026-11-01T00:00:00Z'),
      days: 1,
      durationMinutes: 15,
      busy: [],
    });
    expect(la.at(-1)!.toISOString()).toBe('2026-12-02T01:45:00.000Z'); // Tuesday 17:45 PST
    expect(groupByLocalDate(la, 'America/Los_Angeles').map((d) => d.date)).toEqual(['2026-12-01']);

    // Auckland (UTC+13 in summer): Monday morning there is still Sunday in UTC.
    const auckland = computeFreeSlots({
      timeZone: 'Pacific/Auckland',
      from: new Date('2026-11-29T20:00:00Z'), // Monday 30 November 09:00 NZDT
      now: new Date('2026-11-29T20:00:00Z'),
      days: 1,
      durationMinutes: 15,
      busy: [],
    });
    expect(auckland[0]!.toISOString()).toBe('2026-11-29T20:15:00.000Z'); // 09:15, after now
    expect(groupByLocalDate(auckland, 'Pacific/Auckland')).toEqual([{ date: '2026-11-30', slots: auckland }]);
  });
});
