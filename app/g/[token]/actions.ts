'use server';

import { z } from 'zod';
import { signInWith, type SignInState } from '@/app/signin/actions';

const fieldsSchema = z.object({
  name: z.string().trim().min(1).max(60),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

/** The guest's name and code with the link; on success they go straight to the consult. */
export async function guestSignIn(token: string, appointmentId: string, _prev: SignInState, form: FormData): Promise<SignInState> {
  const fields = fieldsSchema.safeParse({ name: form.get('name'), code: form.get('code') });
  if (!fields.success) return { error: 'invalidInput' };
  return signInWith('guest-invite', { token, ...fields.data }, `/consult/${appointmentId}`);
}
