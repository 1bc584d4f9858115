import { z } from 'zod';
import { linkTokenSchema } from './link-token';

/** A calendar date typed by a person: YYYY-MM-DD, a real date, not in the future, not before 1900. */
export const birthDateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalidBirthDate')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'invalidBirthDate')
  .refine((value) => value >= '1900-01-01' && value <= new Date().toISOString().slice(0, 10), 'invalidBirthDate');

export const patientLinkCredentialsSchema = z.object({
  token: linkTokenSchema,
  birthDate: birthDateSchema,
});

export type PatientLinkCredentials = z.infer<typeof patientLinkCredentialsSchema>;
