'use client';

import dynamic from 'next/dynamic';
import { useI18n } from '@/components/providers/i18n-provider';

/**
 * The video SDK is most of the consult page's weight, so it arrives after the page has painted
 * (the waiting room already fetched it in the background on the usual path).
 */
export const ConsultRoomLoader = dynamic(() => import('./consult-room').then((m) => m.ConsultRoom), {
  ssr: false,
  loading: ConsultRoomLoading,
});

function ConsultRoomLoading({ error }: { error?: Error | null }) {
  const { t } = useI18n('consult');
  if (error) {
    return (
      <section className="card">
        <p role="alert" className="alert">
          {t.consult.loadFailed}
        </p>
        <button className="button" type="button" onClick={() => window.location.reload()}>
          {t.common.tryAgain}
        </button>
      </section>
    );
  }
  return (
    <p className="consult-status" role="status" aria-busy="true">
      {t.consult.connecting}
    </p>
  );
}
