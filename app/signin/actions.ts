'use server';

import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn } from '@/server/auth/auth';

export type SignInState = { error: string | null };

/** Returns the refusal code for the form; on success Auth.js redirects (thrown, so it is re-thrown). */
export async function signInWith(
  provider: 'staff' | 'patient-link' | 'guest-invite',
  fields: Record<string, string>,
  redirectTo: string,
): Promise<SignInState> {
  try {
    await signIn(provider, { ...fields, redirectTo });
    return { error: null };
  } catch (error) {
    if (error instanceof CredentialsSignin) return { error: error.code };
    if (error instanceof AuthError) return { error: 'unavailable' };
    throw error;
  }
}

export async function staffSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  return signInWith('staff', { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }, '/staff');
}
