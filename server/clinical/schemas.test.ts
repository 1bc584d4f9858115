import { describe, expect, it } from 'vitest';
import { sharePanelInput, vitalsReading } from './schemas';

describe('vitalsReading', () => {
  it('accepts a plausible reading', () => {
    expect(vitalsReading.parse({ systolic: 138, diastolic: 86, heartRate: 70 })).toEqual({ systolic: 138, diastolic: 86, heartRate: 70 });
  });

  it.each([
    [{ systolic: 400, diastolic: 80 }, 'systolic', 'between 50 and 260'],
    [{ heartRate: 5 }, 'heartRate', 'between 25 and 250'],
    [{ oxygenSaturation: 101 }, 'oxygenSaturation', 'between 50 and 100'],
    [{ bodyTemperature: 50 }, 'bodyTemperature', 'between 30 and 43'],
    [{ bodyWeight: 0 }, 'bodyWeight', 'between 2 and 350'],
    [{ bloodGlucose: 80 }, 'bloodGlucose', 'between 1 and 35'],
    [{ systolic: 120 }, 'diastolic', 'both'],
    [{ systolic: 80, diastolic: 90 }, 'diastolic', 'must be below'],
  ])('refuses %j with a message on %s', (reading, field, message) => {
    const result = vitalsReading.safeParse(reading);
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((i) => i.path[0] === field);
    expect(issue?.message).toContain(message);
  });

  it('refuses an empty reading', () => {
    expect(vitalsReading.safeParse({}).success).toBe(false);
  });
});

describe('sharePanelInput', () => {
  it('needs a vital for a chart and a text for a care plan', () => {
    expect(sharePanelInput.safeParse({ appointmentId: 'a', kind: 'vitalsChart' }).success).toBe(false);
    expect(sharePanelInput.safeParse({ appointmentId: 'a', kind: 'vitalsChart', vital: 'bloodPressure' }).success).toBe(true);
    expect(sharePanelInput.safeParse({ appointmentId: 'a', kind: 'carePlan', note: '  ' }).success).toBe(false);
    expect(sharePanelInput.safeParse({ appointmentId: 'a', kind: 'medications' }).success).toBe(true);
  });
});
