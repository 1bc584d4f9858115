'use client';

import { useRoomContext } from '@livekit/components-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { multipartyError } from './participants-errors';
import styles from './participants.module.css';

/** The specialist's own note, saved with the visit, and their way out of the consult when done. */
export function SpecialistNotePanel({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const m = t.multiparty;
  const trpc = useTRPC();
  const id = useId();
  const room = useRoomContext();
  const router = useRouter();
  const saved = useQuery(trpc.multiparty.mySpecialistNote.queryOptions({ appointmentId }));
  const [text, setText] = useState('');
  useEffect(() => {
    if (saved.data?.text) setText((current) => current || saved.data!.text);
  }, [saved.data]);
  const save = useMutation(trpc.multiparty.saveSpecialistNote.mutationOptions());
  const finish = useMutation(
    trpc.multiparty.leaveAsSpecialist.mutationOptions({
      onSuccess: async () => {
        await room.disconnect();
        router.push('/staff');
      },
    }),
  );
  const error = multipartyError(save.error ?? finish.error, t);
  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{m.specialistNote}</h3>
      <label>
        <span className="visually-hidden">{m.specialistNote}</span>
        <textarea rows={4} value={text} maxLength={5000} onChange={(e) => setText(e.target.value)} aria-describedby={`${id}-hint`} />
      </label>
      <span id={`${id}-hint`} className="muted">
        {m.specialistNoteHint}
      </span>
      <div className={styles.row}>
        <button type="button" className="button" disabled={save.isPending || !text.trim()} onClick={() => save.mutate({ appointmentId, text })}>
          {m.saveNote}
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={finish.isPending}
          onClick={async () => {
            if (text.trim()) await save.mutateAsync({ appointmentId, text }).catch(() => {});
            finish.mutate({ appointmentId });
          }}
        >
          {m.finishAsSpecialist}
        </button>
      </div>
      {save.isSuccess && (
        <p role="status" className="notice">
          {m.noteSaved}
        </p>
      )}
      {error && (
        <p role="alert" className="alert">
          {error}
        </p>
      )}
    </section>
  );
}
