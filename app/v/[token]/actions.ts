'use server';

import { z } from 'zod';
import { signInWith, type SignInState } from '@/app/signin/actions';

const partsSchema = z.object({
  year: z
    .string()
    .trim()
    .regex(/^\d{4}$/),
  month: z
    .string()
    .trim()
    .regex(/^\d{1,2}$/),
  day: z
    .string()
    .trim()
    .regex(/^\d{1,2}$/),
});

export async function patientSignIn(token: string, _prev: SignInState, form: FormData): Promise<SignInState> {
  const parts = partsSchema.safeParse({ year: form.get('year'), month: form.get('month'), day: form.get('day') });
  if (!parts.success) return { error: 'invalidBirthDate' };
  const { year, month, day } = parts.data;
  const birthDate = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return signInWith('patient-link', { token, birthDate }, '/visit');
}
