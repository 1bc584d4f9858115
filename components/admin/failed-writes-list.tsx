'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { formatDateTime } from '@/server/shared/zoned';

type Row = inferRouterOutputs<AppRouter>['failedWrites']['list']['writes'][number];

/** A write refused by the worker in the background shows up without a reload. */
const REFRESH_MS = 15_000;

/** The clinic's writes the FHIR server refused: what, whose, when and why, each retried or dismissed here. */
export function FailedWritesList() {
  const { t, locale } = useI18n('failedWrites', 'ehr', 'errors');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [done, setDone] = useState<string | null>(null);
  const list = useQuery({ ...trpc.failedWrites.list.queryOptions({}), refetchInterval: REFRESH_MS });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.failedWrites.list.queryKey() });
  const retry = useMutation(trpc.failedWrites.retry.mutationOptions({ onSuccess: () => setDone(t.failedWrites.retried), onSettled: refresh }));
  const dismiss = useMutation(trpc.failedWrites.dismiss.mutationOptions({ onSuccess: () => setDone(t.failedWrites.dismissed), onSettled: refresh }));
  const busy = retry.isPending || dismiss.isPending;
  const failure = retry.error ?? dismiss.error;

  const what = (row: Row) => {
    const vitals = row.vitals.map((kind) => t.ehr.vitals[kind]).join(', ');
    return vitals ? `${t.failedWrites.kinds[row.kind]}: ${vitals}` : t.failedWrites.kinds[row.kind];
  };

  let content;
  if (list.isPending) {
    content = (
      <p className="muted" role="status">
        {t.common.loading}
      </p>
    );
  } else if (list.isError) {
    content = (
      <p role="alert" className="alert">
        {errorMessage(list.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
      </p>
    );
  } else if (list.data.writes.length === 0) {
    content = <p className="notice">{t.failedWrites.empty}</p>;
  } else {
    const { timeZone, writes } = list.data;
    const when = (iso: string | null) => (iso ? formatDateTime(new Date(iso), timeZone, locale) : '');
    content = (
      <table className="appointments" aria-label={t.failedWrites.title}>
        <thead>
          <tr>
            <th scope="col">{t.failedWrites.time}</th>
            <th scope="col">{t.failedWrites.patient}</th>
            <th scope="col">{t.failedWrites.kind}</th>
            <th scope="col">{t.failedWrites.reason}</th>
            <th scope="col">{t.failedWrites.failedAt}</th>
            <th scope="col">{t.failedWrites.attempts}</th>
            <th scope="col">{t.failedWrites.actions}</th>
          </tr>
        </thead>
        <tbody>
          {writes.map((row) => {
            const label = { patient: row.patientName, time: when(row.createdAt) };
            return (
              <tr key={row.id}>
                <td>{when(row.createdAt)}</td>
                <td>{row.patientName}</td>
                <td>
                  {what(row)}
                  <div className="muted">{row.enteredByPatient ? t.failedWrites.enteredByPatient : t.failedWrites.enteredByStaff}</div>
                </td>
                <td>{t.errors[row.reason]}</td>
                <td>{when(row.failedAt)}</td>
                <td>{row.attempts}</td>
                <td>
                  <div className="offer-actions">
                    <button
                      className="button small"
                      type="button"
                      disabled={busy}
                      aria-label={format(t.failedWrites.retryLabel, label)}
                      onClick={() => {
                        setDone(null);
                        retry.mutate({ id: row.id });
                      }}
                    >
                      {t.failedWrites.retry}
                    </button>
                    <button
                      className="button small secondary"
                      type="button"
                      disabled={busy}
                      aria-label={format(t.failedWrites.dismissLabel, label)}
                      onClick={() => {
                        if (!window.confirm(t.failedWrites.confirmDismiss)) return;
                        setDone(null);
                        dismiss.mutate({ id: row.id });
                      }}
                    >
                      {t.failedWrites.dismiss}
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        {t.failedWrites.title}
      </h2>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {failure && (
        <p role="alert" className="alert">
          {errorMessage(failure, t, { codes: { FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound } })}
        </p>
      )}
      {content}
    </section>
  );
}
