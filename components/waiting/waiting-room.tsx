'use client';

import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';

export function WaitingRoom({ clinicName, clinicianName }: { clinicName: string; clinicianName: string }) {
  const { t } = useI18n('errors', 'patientReschedule', 'waiting');
  const trpc = useTRPC();
  const router = useRouter();
  const join = useMutation(trpc.waitingRoom.join.mutationOptions());
  const leave = useMutation(trpc.waitingRoom.leave.mutationOptions());
  const [left, setLeft] = useState(false);
  const requested = useRef(false);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    join.mutate();
  }, [join]);

  const status = useSubscription(trpc.waitingRoom.watch.subscriptionOptions(undefined, { enabled: join.isSuccess && !left }));
  const data = status.data;

  useEffect(() => {
    // Fetch the consult room's code while waiting, so joining does not wait for the download.
    void import('@/components/consult/consult-room');
  }, []);

  useEffect(() => {
    if (data?.state === 'ASSIGNED') router.replace(`/consult/${data.appointmentId}`);
  }, [data, router]);

  if (join.isError) {
    return (
      <p role="alert" className="alert">
        {errorMessage(join.error, t)}
      </p>
    );
  }
  if (left) return <p className="notice">{t.waiting.left}</p>;

  return (
    <div className="waiting">
      <p className="muted">
        {clinicName} · {clinicianName}
      </p>
      <div className="waiting-status" role="status" aria-live="polite">
        {!data && <p>{t.waiting.joining}</p>}
        {data?.state === 'ASSIGNED' && <p className="big">{t.waiting.connecting}</p>}
        {data?.state === 'ENDED' && <p>{t.waiting.ended}</p>}
        {(data?.state === 'WAITING' || data?.state === 'OFFERED') && (
          <>
            <p className="big">{format(t.waiting.position, { position: data.position })}</p>
            {data.state === 'OFFERED' && <p>{t.waiting.yourTurnSoon}</p>}
            <p>
              {data.estimatedWaitSeconds < 60 ? t.waiting.estimateNow : format(t.waiting.estimate, { minutes: Math.round(data.estimatedWaitSeconds / 60) })}
            </p>
          </>
        )}
      </div>
      {status.status === 'connecting' && data && (
        <p className="notice" role="status">
          {t.waiting.reconnecting}
        </p>
      )}
      <p>{t.waiting.keepOpen}</p>
      <Link href="/visit/reschedule">{t.patientReschedule.changeLink}</Link>
      <button className="button secondary" type="button" disabled={leave.isPending} onClick={() => leave.mutate(undefined, { onSuccess: () => setLeft(true) })}>
        {t.waiting.leave}
      </button>
    </div>
  );
}
