'use client';

import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { clinicDateTime } from '@/components/schedule/schedule-format';
import { format } from '@/server/shared/i18n/format';

/** A reading queued while the record system was down can be refused later: polled, not only after sending. */
const REFRESH_MS = 30_000;

/**
 * Readings (and, for the care team, visit records) of the consult's patient that the clinical record system
 * refused in the last 30 days, with why. Shows nothing when there are none, or when they cannot be loaded.
 */
export function UnstoredReadings({ appointmentId, audience }: { appointmentId: string; audience: 'patient' | 'careTeam' }) {
  const { t, locale } = useI18n('vitalsForm', 'errors');
  const trpc = useTRPC();
  const id = useId();
  const list = useQuery(trpc.unstoredReadings.forConsult.queryOptions({ appointmentId }, { refetchInterval: REFRESH_MS, retry: false }));
  if (!list.data || list.data.readings.length === 0) return null;
  const { timeZone, readings } = list.data;
  return (
    <section className="alert unstored-readings" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t.vitalsForm.unstoredTitle}</h3>
      <p>{audience === 'patient' ? t.vitalsForm.unstoredIntroPatient : t.vitalsForm.unstoredIntroCareTeam}</p>
      <ul>
        {readings.map((reading) => {
          const what = reading.kind === 'VITALS' ? reading.vitals.map((kind) => t.vitalsForm[kind]).join(', ') : t.vitalsForm.unstoredVisitRecord;
          return (
            <li key={reading.id}>
              {format(t.vitalsForm.unstoredItem, { what, time: clinicDateTime(reading.createdAt, timeZone, locale) })}
              <div>{format(t.vitalsForm.notStoredReason, { reason: t.errors[reading.reason] })}</div>
              {reading.dismissed && <div className="muted">{t.vitalsForm.unstoredDismissed}</div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
