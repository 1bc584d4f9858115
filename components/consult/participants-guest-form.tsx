'use client';

import { useActionState } from 'react';
import { guestSignIn } from '@/app/g/[token]/actions';
import type { SignInState } from '@/app/signin/actions';
import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';
import type { Messages } from '@/server/shared/i18n/dictionaries';

const FINAL = ['expired', 'revoked', 'locked', 'malformed', 'ended'] as const;

function messageFor(error: string | null, t: Pick<Messages, 'guest' | 'common'>): string | null {
  if (!error) return null;
  const [code, detail] = error.split(':');
  if (code === 'wrong') return format(t.guest.wrong, { remaining: detail ?? '?' });
  if (code === 'invalidInput') return t.guest.invalidInput;
  if ((FINAL as readonly string[]).includes(code!)) return t.guest[code as (typeof FINAL)[number]];
  return t.common.somethingWrong;
}

/** Name and code: the guest's simple check before joining (large fields, for a phone). */
export function GuestJoinForm({ token, appointmentId }: { token: string; appointmentId: string }) {
  const { t } = useI18n('guest');
  const [state, action, pending] = useActionState<SignInState, FormData>(guestSignIn.bind(null, token, appointmentId), { error: null });
  const message = messageFor(state.error, t);
  const finished = state.error !== null && (FINAL as readonly string[]).includes(state.error);
  return (
    <form action={action} className="stack" noValidate>
      {message && (
        <p role="alert" className="alert">
          {message}
        </p>
      )}
      {!finished && (
        <>
          <label>
            {t.guest.name}
            <input name="name" autoComplete="name" maxLength={60} required />
          </label>
          <label>
            {t.guest.code}
            <input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
          </label>
          <button className="button" type="submit" disabled={pending}>
            {pending ? t.guest.submitting : t.guest.submit}
          </button>
        </>
      )}
    </form>
  );
}
