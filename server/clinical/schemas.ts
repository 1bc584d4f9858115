import { z } from 'zod';
import { BLOOD_PRESSURE, VITALS, VITAL_KINDS, type Range } from '@/server/shared/vital-signs';

const appointmentId = z.string().min(1).max(64);

/** A reading within the physiological limits; the message names the limits (the UI translates by code). */
const within = (range: Range, what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine(Number.isFinite, { message: `${what} must be a number` })
    .min(range.min, { message: `${what} must be between ${range.min} and ${range.max}` })
    .max(range.max, { message: `${what} must be between ${range.min} and ${range.max}` });

export const vitalsReading = z
  .object({
    systolic: within(BLOOD_PRESSURE.systolic.limits, 'Systolic pressure').optional(),
    diastolic: within(BLOOD_PRESSURE.diastolic.limits, 'Diastolic pressure').optional(),
    heartRate: within(VITALS.heartRate.limits, 'Heart rate').optional(),
    oxygenSaturation: within(VITALS.oxygenSaturation.limits, 'Oxygen saturation').optional(),
    bodyTemperature: within(VITALS.bodyTemperature.limits, 'Temperature').optional(),
    bodyWeight: within(VITALS.bodyWeight.limits, 'Weight').optional(),
    bloodGlucose: within(VITALS.bloodGlucose.limits, 'Blood glucose').optional(),
  })
  .superRefine((reading, ctx) => {
    const hasSystolic = reading.systolic !== undefined;
    const hasDiastolic = reading.diastolic !== undefined;
    if (hasSystolic !== hasDiastolic) {
      ctx.addIssue({
        code: 'custom',
        path: [hasSystolic ? 'diastolic' : 'systolic'],
        message: 'Blood pressure needs both the upper (systolic) and the lower (diastolic) number',
      });
    } else if (hasSystolic && hasDiastolic && reading.systolic! <= reading.diastolic!) {
      ctx.addIssue({ code: 'custom', path: ['diastolic'], message: 'The lower (diastolic) number must be below the upper (systolic) one' });
    }
    if (Object.values(reading).every((value) => value === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Enter at least one reading' });
    }
  });
export type VitalsReading = z.infer<typeof vitalsReading>;

export const submitVitalsInput = z.object({
  appointmentId,
  reading: vitalsReading,
  /** Chosen by the device that entered the reading: submitting the same reading twice stores it once. */
  clientReadingId: z.string().uuid(),
  /** When the reading was taken; the server's time when missing. Not in the future, not older than a week. */
  takenAt: z.iso.datetime().optional(),
});
export type SubmitVitalsInput = z.infer<typeof submitVitalsInput>;

export const panelKinds = ['vitalsChart', 'medications', 'carePlan'] as const;
export type PanelKind = (typeof panelKinds)[number];
export const chartedVitalKind = z.enum(['bloodPressure', 'heartRate', 'oxygenSaturation', 'bloodGlucose', 'bodyWeight']);

export const sharePanelInput = z.discriminatedUnion('kind', [
  z.object({ appointmentId, kind: z.literal('vitalsChart'), vital: chartedVitalKind }),
  z.object({ appointmentId, kind: z.literal('medications') }),
  z.object({ appointmentId, kind: z.literal('carePlan'), note: z.string().trim().min(1).max(4000) }),
]);
export type SharePanelInput = z.infer<typeof sharePanelInput>;

export const appointmentInput = z.object({ appointmentId });

export const vitalKindSchema = z.enum(VITAL_KINDS as [string, ...string[]]);

/** A write the FHIR server refused, retried or dismissed by a clinic admin. */
export const failedWriteInput = z.object({ id: z.string().min(1).max(64) });
export const listFailedWritesInput = z.object({ limit: z.number().int().min(1).max(200).default(100) });
