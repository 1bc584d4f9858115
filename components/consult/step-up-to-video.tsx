'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { multipartyError } from './participants-errors';
import styles from './participants.module.css';

/** A phone consult: the clinician texts the caller a link that brings them into this room with their camera. */
export function StepUpToVideo({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const m = t.multiparty;
  const trpc = useTRPC();
  const id = useId();
  const access = useQuery(trpc.multiparty.access.queryOptions({ appointmentId }));
  const send = useMutation(trpc.multiparty.sendVideoLink.mutationOptions());
  const failure = multipartyError(send.error, t);
  if (!access.data?.phoneCall) return null;
  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{m.stepUpTitle}</h3>
      <p id={`${id}-hint`} className="muted">
        {m.stepUpHint}
      </p>
      <button
        type="button"
        className="button secondary"
        disabled={send.isPending}
        aria-describedby={`${id}-hint`}
        onClick={() => send.mutate({ appointmentId })}
      >
        {send.isPending ? m.stepUpSending : m.stepUpSend}
      </button>
      <p role="status">{send.isSuccess ? (send.data.queued ? m.stepUpSent : m.stepUpNotSent) : ''}</p>
      {failure && (
        <p role="alert" className="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
