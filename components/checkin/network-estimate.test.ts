import { describe, expect, it } from 'vitest';
import { rateConnection } from './network-estimate';

describe('connection rating', () => {
  it('rates by the median round trip and by lost requests', () => {
    expect(rateConnection([40, 60, 50, 900, 45])).toBe('good');
    expect(rateConnection([300, 280, 320])).toBe('fair');
    expect(rateConnection([40, null, 50, 45, 60])).toBe('fair');
    expect(rateConnection([800, 700, 900])).toBe('poor');
    expect(rateConnection([40, null, null, null, 50])).toBe('poor');
    expect(rateConnection([null, null])).toBe('offline');
  });
});
