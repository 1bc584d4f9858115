'use client';

import { useActionState } from 'react';
import { staffSignIn, type SignInState } from '@/app/signin/actions';
import { useI18n } from '@/components/providers/i18n-provider';

export function StaffSignInForm() {
  const { t } = useI18n('staffSignIn');
  const [state, action, pending] = useActionState<SignInState, FormData>(staffSignIn, { error: null });
  const message =
    state.error === 'invalidInput'
      ? t.staffSignIn.invalidInput
      : state.error === 'invalid'
        ? t.staffSignIn.invalid
        : state.error
          ? t.common.somethingWrong
          : null;

  return (
    <form action={action} className="stack" noValidate aria-describedby={message ? 'sign-in-error' : undefined}>
      {message && (
        <p id="sign-in-error" role="alert" className="alert">
          {message}
        </p>
      )}
      <label>
        {t.staffSignIn.email}
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        {t.staffSignIn.password}
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="button" type="submit" disabled={pending}>
        {pending ? t.staffSignIn.submitting : t.staffSignIn.submit}
      </button>
    </form>
  );
}
