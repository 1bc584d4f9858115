'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { errorMessage, type ErrorMessageOptions } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { PATIENT_RESCHEDULE_DAYS } from '@/server/shared/scheduling-config';
import { scheduleErrorValues } from './schedule-errors';
import { clinicDate, clinicTime, longDayLabel, patientDateTime } from './schedule-format';

/** A patient is told about their own visit in plainer words than the schedule's staff. */
function patientWords(tr: Messages['patientReschedule']): ErrorMessageOptions {
  return {
    reasons: { overlap: tr.taken, notFreeSlot: tr.taken, inPast: tr.inPast, notChangeable: tr.notChangeable },
    values: scheduleErrorValues,
  };
}

type Step = { kind: 'choose' } | { kind: 'confirm'; startsAt: string } | { kind: 'done'; startsAt: string };

/** Phone-first: the free times of the next days, grouped by clinic-local day, then one confirmation. */
export function PatientReschedule({
  appointmentId,
  clinicianName,
  timeZone,
  currentLabel,
}: {
  appointmentId: string;
  clinicianName: string;
  timeZone: string;
  currentLabel: string;
}) {
  const { t, locale } = useI18n('errors', 'patientReschedule');
  const tr = t.patientReschedule;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [notice, setNotice] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const slots = useQuery({ ...trpc.schedule.listMyFreeSlots.queryOptions(), enabled: step.kind !== 'done' });
  const move = useMutation(
    trpc.schedule.rescheduleMine.mutationOptions({
      onSuccess: (moved) => setStep({ kind: 'done', startsAt: String(moved.startsAt) }),
      onError: async (error) => {
        setNotice(errorMessage(error, t, patientWords(tr)));
        setStep({ kind: 'choose' });
        await queryClient.invalidateQueries(trpc.schedule.listMyFreeSlots.pathFilter());
      },
    }),
  );

  // After a step changes, focus moves to its heading so a screen reader reads where the person is now.
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    heading.current?.focus();
  }, [step.kind]);

  if (step.kind === 'done') {
    return (
      <div className="patient-reschedule-step">
        <h2 ref={heading} tabIndex={-1} className="visually-hidden">
          {tr.title}
        </h2>
        <p role="status" className="notice big-notice">
          {format(tr.done, { time: patientDateTime(step.startsAt, timeZone, locale) })}
        </p>
      </div>
    );
  }

  if (step.kind === 'confirm') {
    const when = patientDateTime(step.startsAt, timeZone, locale);
    return (
      <div className="patient-reschedule-step">
        <h2 ref={heading} tabIndex={-1}>
          {format(tr.confirmTitle, { time: when })}
        </h2>
        <p className="muted">{format(tr.current, { clinician: clinicianName, time: currentLabel })}</p>
        <div className="stack-actions">
          <button type="button" className="button block" disabled={move.isPending} onClick={() => move.mutate({ appointmentId, startsAt: step.startsAt })}>
            {move.isPending ? tr.saving : tr.confirm}
          </button>
          <button type="button" className="button secondary block" disabled={move.isPending} onClick={() => setStep({ kind: 'choose' })}>
            {tr.chooseAgain}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="patient-reschedule-step">
      <p className="notice">{format(tr.current, { clinician: clinicianName, time: currentLabel })}</p>
      <h2 ref={heading} tabIndex={-1} className="visually-hidden">
        {tr.title}
      </h2>
      <p>{tr.intro}</p>
      <p className="muted">{tr.timeZoneNote}</p>
      {notice && (
        <p role="alert" className="alert">
          {notice}
        </p>
      )}
      {slots.isPending ? (
        <p role="status" className="muted">
          {tr.loading}
        </p>
      ) : slots.isError ? (
        <p role="alert" className="alert">
          {errorMessage(slots.error, t, patientWords(tr))}
        </p>
      ) : slots.data.days.length === 0 ? (
        <p className="notice">{format(tr.noSlots, { days: PATIENT_RESCHEDULE_DAYS })}</p>
      ) : (
        <div className="slot-days">
          {slots.data.days.map((day, index) => {
            const label = longDayLabel(day.date, locale);
            return (
              <details key={day.date} className="slot-day" open={index === 0}>
                <summary>
                  <span className="slot-day-name">{label}</span>
                  <span className="muted">{format(tr.freeTimes, { count: day.slots.length })}</span>
                </summary>
                <ul className="slot-grid" aria-label={label}>
                  {day.slots.map((slot) => {
                    const iso = String(slot);
                    const time = clinicTime(iso, timeZone);
                    return (
                      <li key={iso}>
                        <button
                          type="button"
                          className="slot"
                          aria-label={format(tr.slotLabel, { day: label, time })}
                          data-date={clinicDate(iso, timeZone)}
                          onClick={() => {
                            setNotice(null);
                            setStep({ kind: 'confirm', startsAt: iso });
                          }}
                        >
                          {time}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </details>
            );
          })}
        </div>
      )}
    </div>
  );
}
