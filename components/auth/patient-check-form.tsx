'use client';

import { useActionState } from 'react';
import { patientSignIn } from '@/app/v/[token]/actions';
import type { SignInState } from '@/app/signin/actions';
import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';
import type { Messages } from '@/server/shared/i18n/dictionaries';

function messageFor(error: string | null, t: Pick<Messages, 'patientCheck' | 'common'>): string | null {
  if (!error) return null;
  const [code, detail] = error.split(':');
  switch (code) {
    case 'wrongBirthDate':
      return format(t.patientCheck.wrongBirthDate, { remaining: detail ?? '?' });
    case 'invalidBirthDate':
    case 'locked':
    case 'patientLocked':
    case 'expired':
    case 'malformed':
    case 'used':
    case 'revoked':
      return t.patientCheck[code];
    default:
      return t.common.somethingWrong;
  }
}

export function PatientCheckForm({ token }: { token: string }) {
  const { t } = useI18n('patientCheck');
  const [state, action, pending] = useActionState<SignInState, FormData>(patientSignIn.bind(null, token), { error: null });
  const message = messageFor(state.error, t);
  const finished = state.error !== null && ['locked', 'patientLocked', 'expired', 'malformed', 'used', 'revoked'].includes(state.error);
  const partLabels = [t.patientCheck.year, t.patientCheck.month, t.patientCheck.day];

  return (
    <form action={action} className="stack" noValidate>
      {message && (
        <p role="alert" className="alert">
          {message}
        </p>
      )}
      {!finished && (
        <>
          <fieldset aria-describedby="birth-date-hint">
            <legend>{t.patientCheck.birthDate}</legend>
            <div className="date-parts">
              <label>
                {partLabels[0]}
                <input name="year" inputMode="numeric" autoComplete="bday-year" maxLength={4} required />
              </label>
              <label>
                {partLabels[1]}
                <input name="month" inputMode="numeric" autoComplete="bday-month" maxLength={2} required />
              </label>
              <label>
                {partLabels[2]}
                <input name="day" inputMode="numeric" autoComplete="bday-day" maxLength={2} required />
              </label>
            </div>
            <span id="birth-date-hint" className="muted">
              {t.patientCheck.birthDateHint}
            </span>
          </fieldset>
          <button className="button" type="submit" disabled={pending}>
            {pending ? t.patientCheck.submitting : t.patientCheck.submit}
          </button>
        </>
      )}
    </form>
  );
}
