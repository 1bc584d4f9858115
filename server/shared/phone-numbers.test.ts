import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, toE164 } from './phone-numbers';

describe('caller numbers', () => {
  it('makes the forms carriers send into one E.164 number', () => {
    for (const raw of ['+8613800000001', '008613800000001', '8613800000001', '13800000001', 'sip:+8613800000001@10.0.0.1', '+86 138-0000-0001']) {
      expect(toE164(raw), raw).toBe('+8613800000001');
    }
    expect(toE164('057188880000')).toBe('+8657188880000');
    expect(toE164('+14155550100', '86')).toBe('+14155550100');
  });

  it('refuses what is not a number', () => {
    for (const raw of ['', null, 'anonymous', '+0123', '12', '+1234567890123456']) expect(toE164(raw as string), String(raw)).toBeNull();
  });

  it('masks all but the country code and the last four digits', () => {
    expect(maskPhoneNumber('+8613800000001')).toBe('+86 ••• 0001');
    expect(maskPhoneNumber('+14155550100')).toBe('+1 ••• 0100');
  });
});
