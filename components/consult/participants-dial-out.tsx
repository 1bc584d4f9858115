'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { format } from '@/server/shared/i18n/format';
import { multipartyError } from './participants-errors';
import styles from './participants.module.css';

/** Calls a phone into the consult; without a SIP trunk the button stays disabled and says why. */
export function DialOutPanel({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const m = t.multiparty;
  const trpc = useTRPC();
  const id = useId();
  const access = useQuery(trpc.multiparty.access.queryOptions({ appointmentId }));
  const [number, setNumber] = useState('');
  const dial = useMutation(trpc.multiparty.dialOut.mutationOptions());
  const enabled = access.data?.dialOut.enabled === true;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (enabled) dial.mutate({ appointmentId, number: number.trim() });
  }

  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{m.dialOut}</h3>
      <form onSubmit={submit} className={styles.row}>
        <label>
          {m.dialOutNumber}
          <input
            type="tel"
            inputMode="tel"
            autoComplete="off"
            value={number}
            disabled={!enabled}
            placeholder="+8613800000000"
            aria-describedby={`${id}-hint`}
            onChange={(e) => setNumber(e.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={!enabled || dial.isPending || !number.trim()} aria-describedby={`${id}-hint`}>
          {dial.isPending ? m.dialOutCalling : m.dialOutCall}
        </button>
      </form>
      <span id={`${id}-hint`} className="muted">
        {access.data && !enabled ? m.dialOutDisabled : m.dialOutNumberHint}
      </span>
      {dial.isSuccess && (
        <p role="status" className="notice">
          {format(m.dialOutStarted, { number: number.trim() })}
        </p>
      )}
      {dial.error && (
        <p role="alert" className="alert">
          {multipartyError(dial.error, t)}
        </p>
      )}
    </section>
  );
}
