'use client';

import { useQuery } from '@tanstack/react-query';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { format } from '@/server/shared/i18n/format';

export function VisitSummary() {
  const { t, locale } = useI18n('summary');
  const trpc = useTRPC();
  // The note may still be being written: look again every few seconds until it is there.
  const summary = useQuery(trpc.visit.summary.queryOptions(undefined, { refetchInterval: (query) => (query.state.data?.plan ? false : 5000) }));

  if (summary.isPending) return <p role="status">{t.common.loading}</p>;
  if (summary.isError) {
    return (
      <p role="alert" className="alert">
        {t.common.somethingWrong}
      </p>
    );
  }
  const data = summary.data;
  const when = (iso: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: data.timeZone, dateStyle: 'full', timeStyle: 'short', hourCycle: 'h23' }).format(new Date(iso));

  return (
    <div className="summary">
      <p className="muted">
        {data.clinicName} · {format(t.summary.with, { clinician: data.clinicianName })}
      </p>
      {data.plan ? (
        <section aria-labelledby="instructions">
          <h2 id="instructions">{t.summary.instructions}</h2>
          <p className="instructions">{data.plan}</p>
        </section>
      ) : (
        <p role="status" className="notice">
          {t.summary.pending}
        </p>
      )}
      {data.plan && (
        <section aria-labelledby="next-visit">
          <h2 id="next-visit">{t.summary.next}</h2>
          {data.next ? (
            <>
              <p className="big-date">{when(data.next.startsAt)}</p>
              <p className="muted">{t.summary.nextLink}</p>
            </>
          ) : (
            <p>{t.summary.noNext}</p>
          )}
        </section>
      )}
    </div>
  );
}
