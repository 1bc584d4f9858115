'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';

/** Marks a visit the patient never came to as a no-show, after a second press to confirm. */
export function NoShowButton({ appointmentId, patientName }: { appointmentId: string; patientName: string }) {
  const { t } = useI18n('staffHome', 'errors');
  const trpc = useTRPC();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const mark = useMutation(trpc.schedule.markNoShow.mutationOptions({ onSuccess: () => router.refresh() }));

  if (!confirming) {
    return (
      <button type="button" className="button secondary" onClick={() => setConfirming(true)} aria-label={format(t.staffHome.noShowFor, { name: patientName })}>
        {t.staffHome.noShow}
      </button>
    );
  }
  return (
    <span className="offer-actions" role="group" aria-label={format(t.staffHome.noShowFor, { name: patientName })}>
      <button type="button" className="button danger" disabled={mark.isPending} onClick={() => mark.mutate({ appointmentId })}>
        {mark.isPending ? t.staffHome.noShowSaving : t.staffHome.noShowConfirm}
      </button>
      <button type="button" className="button secondary" disabled={mark.isPending} onClick={() => setConfirming(false)}>
        {t.staffHome.noShowKeep}
      </button>
      {mark.error && (
        <span role="alert" className="alert">
          {errorMessage(mark.error, t)}
        </span>
      )}
    </span>
  );
}
