'use client';

import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import type { MessageStatus } from '@/server/db/generated/enums';
import { format } from '@/server/shared/i18n/format';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { MESSAGE_STATUSES } from '@/server/shared/schemas/notify';
import { formatDateTime } from '@/server/shared/zoned';

type Row = inferRouterOutputs<AppRouter>['messages']['list']['messages'][number];

/** New messages and status changes show up without a reload. */
const REFRESH_MS = 3000;

function lastErrorText(t: Pick<Messages, 'messages'>, row: Row): string {
  if (!row.lastError) return t.messages.none;
  if (row.status === 'SKIPPED' && row.lastError in t.messages.skipReasons) {
    return t.messages.skipReasons[row.lastError as keyof Messages['messages']['skipReasons']];
  }
  return row.lastError;
}

export function MessagesList() {
  const { t, locale } = useI18n('messages');
  const trpc = useTRPC();
  const id = useId();
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const list = useQuery({ ...trpc.messages.list.queryOptions({ status: status || undefined }), refetchInterval: REFRESH_MS });
  const when = (iso: string, timeZone: string) => formatDateTime(new Date(iso), timeZone, locale);

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
        {t.common.somethingWrong}
      </p>
    );
  } else if (list.data.messages.length === 0) {
    content = <p className="notice">{status ? t.messages.emptyFiltered : t.messages.empty}</p>;
  } else {
    const { timeZone, messages } = list.data;
    content = (
      <table className="appointments" aria-label={t.messages.title}>
        <thead>
          <tr>
            <th scope="col">{t.messages.time}</th>
            <th scope="col">{t.messages.patient}</th>
            <th scope="col">{t.messages.kind}</th>
            <th scope="col">{t.messages.status}</th>
            <th scope="col">{t.messages.attempts}</th>
            <th scope="col">{t.messages.lastError}</th>
            <th scope="col">{t.messages.preview}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((row) => (
            <tr key={row.id}>
              <td>{when(row.sentAt ?? row.sendAfter, timeZone)}</td>
              <td>{row.patientName}</td>
              <td>{t.messages.kinds[row.kind]}</td>
              <td>
                <span className="status">{t.messages.statuses[row.status]}</span>
                {row.status === 'QUEUED' && row.attempts > 0 && (
                  <div className="muted">{format(t.messages.retryAt, { time: when(row.nextAttemptAt, timeZone) })}</div>
                )}
              </td>
              <td>{row.attempts}</td>
              <td>{lastErrorText(t, row)}</td>
              <td>{row.bodyPreview ?? <span className="muted">{t.messages.notWrittenYet}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        {t.messages.title}
      </h2>
      <div className="field">
        <label htmlFor={`${id}-status`}>{t.messages.filter}</label>
        <select id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value as MessageStatus | '')}>
          <option value="">{t.messages.all}</option>
          {MESSAGE_STATUSES.map((value) => (
            <option key={value} value={value}>
              {t.messages.statuses[value]}
            </option>
          ))}
        </select>
      </div>
      {content}
    </section>
  );
}
