import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePlaylist, inWindow, minuteOfDay, needsConditions, type PlaylistRule } from './playlist';

const HYPERTENSION = '38341003';
const at = (hh: number, mm = 0) => hh * 60 + mm;

type Entry = PlaylistRule & { clip: string };
const entry = (clip: string, position: number, rule: Partial<PlaylistRule> = {}): Entry => ({
  clip,
  position,
  fromMinute: null,
  toMinute: null,
  conditionCode: null,
  ...rule,
});
const clips = (entries: Entry[]) => entries.map((e) => e.clip);

describe('inWindow', () => {
  it('includes the start and excludes the end', () => {
    const day = { fromMinute: at(8), toMinute: at(18) };
    expect(inWindow(day, at(7, 59))).toBe(false);
    expect(inWindow(day, at(8))).toBe(true);
    expect(inWindow(day, at(17, 59))).toBe(true);
    expect(inWindow(day, at(18))).toBe(false);
  });

  it('wraps past midnight when the end comes before the start (22:00 to 06:00)', () => {
    const night = { fromMinute: 1320, toMinute: 360 };
    for (const minute of [at(22), at(23, 59), 0, at(3), at(5, 59)]) expect(inWindow(night, minute)).toBe(true);
    for (const minute of [at(6), at(12), at(21, 59)]) expect(inWindow(night, minute)).toBe(false);
    // Ending at midnight: the last two hours of the day.
    expect(inWindow({ fromMinute: at(22), toMinute: 0 }, at(23, 30))).toBe(true);
    expect(inWindow({ fromMinute: at(22), toMinute: 0 }, at(0, 1))).toBe(false);
  });

  it('holds all day without a window, and reads a window with one end as running from or to midnight', () => {
    expect(inWindow({ fromMinute: null, toMinute: null }, at(3))).toBe(true);
    expect(inWindow({ fromMinute: at(20), toMinute: null }, at(23, 59))).toBe(true);
    expect(inWindow({ fromMinute: at(20), toMinute: null }, at(19))).toBe(false);
    expect(inWindow({ fromMinute: null, toMinute: at(9) }, at(8))).toBe(true);
    expect(inWindow({ fromMinute: null, toMinute: at(9) }, at(9))).toBe(false);
    expect(inWindow({ fromMinute: at(9), toMinute: at(9) }, at(3))).toBe(true);
  });
});

describe('choosePlaylist', () => {
  const playlist = [
    entry('night', 3, { fromMinute: 1320, toMinute: 360 }),
    entry('blood-pressure', 1, { conditionCode: HYPERTENSION }),
    entry('welcome', 0),
    entry('daytime', 2, { fromMinute: at(8), toMinute: at(18) }),
  ];

  it('keeps position order, whatever order the entries come in and whether they are targeted', () => {
    const result = choosePlaylist(playlist, { minuteOfDay: at(10), conditionCodes: new Set([HYPERTENSION]) });
    expect(clips(result)).toEqual(['welcome', 'blood-pressure', 'daytime']);
  });

  it('plays a targeted entry only to a patient with the condition', () => {
    expect(clips(choosePlaylist(playlist, { minuteOfDay: at(10), conditionCodes: new Set(['44054006']) }))).toEqual(['welcome', 'daytime']);
    expect(clips(choosePlaylist(playlist, { minuteOfDay: at(10), conditionCodes: new Set() }))).toEqual(['welcome', 'daytime']);
  });

  it('follows the clinic clock, across midnight', () => {
    expect(clips(choosePlaylist(playlist, { minuteOfDay: at(23), conditionCodes: new Set([HYPERTENSION]) }))).toEqual(['welcome', 'blood-pressure', 'night']);
    expect(clips(choosePlaylist(playlist, { minuteOfDay: at(19), conditionCodes: new Set() }))).toEqual(['welcome']);
  });

  it('compares codes without regard to case or spaces', () => {
    const icd = [entry('bp', 0, { conditionCode: 'I10' })];
    expect(clips(choosePlaylist(icd, { minuteOfDay: 0, conditionCodes: new Set([' i10']) }))).toEqual(['bp']);
  });

  it('falls back to the untargeted, untimed entries when nothing more specific fits, else to nothing', () => {
    const specificOnly = playlist.filter((e) => e.clip !== 'welcome');
    expect(clips(choosePlaylist(playlist, { minuteOfDay: at(19), conditionCodes: new Set(['other']) }))).toEqual(['welcome']);
    expect(choosePlaylist(specificOnly, { minuteOfDay: at(19), conditionCodes: new Set() })).toEqual([]);
    expect(choosePlaylist([], { minuteOfDay: at(19), conditionCodes: new Set() })).toEqual([]);
  });

  it('is the entries in position order that fit the window and the chart, for any playlist (property)', () => {
    const rule = fc.record({
      fromMinute: fc.option(fc.integer({ min: 0, max: 1439 }), { nil: null }),
      toMinute: fc.option(fc.integer({ min: 0, max: 1439 }), { nil: null }),
      conditionCode: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 12 }),
        fc.array(rule, { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.subarray(['A', 'B', 'C']),
        (positions, rules, minute, codes) => {
          const entries = positions.map((position, i) => entry(`clip-${position}`, position, rules[i]));
          const result = choosePlaylist(entries, { minuteOfDay: minute, conditionCodes: new Set(codes) });
          const positionsOut = result.map((e) => e.position);
          expect(positionsOut).toEqual([...positionsOut].sort((a, b) => a - b));
          for (const e of entries) {
            const fits = inWindow(e, minute) && (e.conditionCode === null || codes.includes(e.conditionCode));
            expect(result.includes(e)).toBe(fits);
          }
          if (entries.some((e) => e.fromMinute === null && e.toMinute === null && e.conditionCode === null)) expect(result.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('says whether the chart is needed at all', () => {
    expect(needsConditions(playlist)).toBe(true);
    expect(needsConditions(playlist.filter((e) => e.conditionCode === null))).toBe(false);
  });
});

describe('minuteOfDay', () => {
  it('reads the wall clock of the clinic, not of the server', () => {
    const instant = new Date('2026-12-03T15:30:00Z');
    expect(minuteOfDay(instant, 'Asia/Shanghai')).toBe(at(23, 30));
    expect(minuteOfDay(instant, 'UTC')).toBe(at(15, 30));
    expect(minuteOfDay(instant, 'America/Los_Angeles')).toBe(at(7, 30));
  });

  it('follows daylight-saving changes', () => {
    // New York: 01:59 EST is followed by 03:00 EDT on 2026-03-08.
    expect(minuteOfDay(new Date('2026-03-08T06:59:00Z'), 'America/New_York')).toBe(at(1, 59));
    expect(minuteOfDay(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(at(3));
  });
});
