'use client';

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';

export function ConsentStep({ text, onAccepted }: { text: string; onAccepted: () => void }) {
  const { t, locale } = useI18n('consent', 'errors');
  const trpc = useTRPC();
  const accept = useMutation(trpc.visit.acceptConsent.mutationOptions({ onSuccess: onAccepted }));
  const [ticked, setTicked] = useState(false);
  const [declined, setDeclined] = useState(false);
  const [showTickHint, setShowTickHint] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ticked) {
      setShowTickHint(true);
      return;
    }
    accept.mutate({ locale, text });
  }

  if (declined) {
    return (
      <p role="alert" className="alert">
        {t.consent.declined}
      </p>
    );
  }

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <p>{t.consent.read}</p>
      <div className="consent-text" tabIndex={0} aria-label={t.consent.title}>
        {text}
      </div>
      {accept.isError && (
        <p role="alert" className="alert">
          {errorMessage(accept.error, t)}
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={ticked}
          onChange={(event) => {
            setTicked(event.target.checked);
            setShowTickHint(false);
          }}
          aria-describedby={showTickHint ? 'tick-hint' : undefined}
        />
        {t.consent.agree}
      </label>
      {showTickHint && (
        <p id="tick-hint" role="alert" className="alert">
          {t.consent.mustTick}
        </p>
      )}
      <button type="submit" className="button" disabled={accept.isPending}>
        {t.consent.accept}
      </button>
      <button type="button" className="button secondary" onClick={() => setDeclined(true)}>
        {t.consent.decline}
      </button>
    </form>
  );
}
