'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { z } from 'zod';
import { FOLLOW_UP_INTERVAL_DAYS, wrapUpInput } from '@/server/shared/schemas/visit';

type Initial = { freeText: string; assessment: string; plan: string; nextFollowUpDays: number | null } | null;

export function WrapUpForm({
  appointmentId,
  timeZone,
  initial,
  bookedNext,
}: {
  appointmentId: string;
  timeZone: string;
  initial: Initial;
  bookedNext: string | null;
}) {
  const { t, locale } = useI18n('errors', 'wrapUp');
  const trpc = useTRPC();
  const save = useMutation(trpc.visit.saveWrapUp.mutationOptions());
  const [freeText, setFreeText] = useState(initial?.freeText ?? '');
  const [assessment, setAssessment] = useState(initial?.assessment ?? '');
  const [plan, setPlan] = useState(initial?.plan ?? '');
  const [nextDays, setNextDays] = useState<number | null>(initial?.nextFollowUpDays ?? 28);
  const [bookNext, setBookNext] = useState(bookedNext === null);
  const [localErrors, setLocalErrors] = useState<Record<string, string[] | undefined> | null>(null);
  // The same schema as the server's, checked first so a person gets the answer without a round trip.
  const fieldErrors = localErrors ?? ((save.error?.data?.zodError?.fieldErrors ?? {}) as Record<string, string[] | undefined>);
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'full', timeStyle: 'short', hourCycle: 'h23' }).format(new Date(iso));

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { appointmentId, freeText, assessment, plan, nextFollowUpDays: nextDays, bookNext: bookNext && nextDays !== null };
    const checked = wrapUpInput.safeParse(input);
    if (!checked.success) {
      setLocalErrors(z.flattenError(checked.error).fieldErrors as Record<string, string[] | undefined>);
      return;
    }
    setLocalErrors(null);
    save.mutate(checked.data);
  }

  const label = (days: number) => (days % 7 === 0 ? format(t.wrapUp.weeks, { n: days / 7 }) : format(t.wrapUp.days, { n: days }));
  const error = (name: string) =>
    fieldErrors[name]?.[0] ? (
      <p className="field-error" id={`${name}-error`}>
        {fieldErrors[name]![0]}
      </p>
    ) : null;

  if (save.isSuccess) {
    return (
      <div className="stack">
        <p role="status" className="notice">
          {save.data.nextAppointmentId ? format(t.wrapUp.saved, { when: bookedNext ? when(bookedNext) : label(nextDays ?? 0) }) : t.wrapUp.savedNoNext}
        </p>
        <Link className="button" href="/staff">
          {t.wrapUp.back}
        </Link>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="stack" noValidate>
      {save.isError && !save.error.data?.zodError && (
        <p role="alert" className="alert">
          {errorMessage(save.error, t, {
            reasons: { revoked: t.wrapUp.cancelled },
            codes: { FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound },
          })}
        </p>
      )}
      <label>
        {t.wrapUp.freeText}
        <textarea value={freeText} onChange={(e) => setFreeText(e.target.value)} maxLength={5000} rows={5} />
      </label>
      {error('freeText')}
      <label>
        {t.wrapUp.assessment}
        <textarea
          value={assessment}
          onChange={(e) => setAssessment(e.target.value)}
          maxLength={2000}
          rows={3}
          required
          aria-invalid={!!fieldErrors.assessment}
          aria-describedby={fieldErrors.assessment ? 'assessment-error' : undefined}
        />
      </label>
      {error('assessment')}
      <label>
        {t.wrapUp.plan}
        <textarea
          value={plan}
          onChange={(e) => setPlan(e.target.value)}
          maxLength={2000}
          rows={4}
          required
          aria-invalid={!!fieldErrors.plan}
          aria-describedby={fieldErrors.plan ? 'plan-error' : 'plan-hint'}
        />
        <span id="plan-hint" className="muted">
          {t.wrapUp.planHint}
        </span>
      </label>
      {error('plan')}
      <fieldset>
        <legend>{t.wrapUp.next}</legend>
        <div className="choice-row">
          {FOLLOW_UP_INTERVAL_DAYS.map((days) => (
            <label key={days}>
              <input type="radio" name="next" checked={nextDays === days} onChange={() => setNextDays(days)} />
              {label(days)}
            </label>
          ))}
          <label>
            <input type="radio" name="next" checked={nextDays === null} onChange={() => setNextDays(null)} />
            {t.wrapUp.none}
          </label>
        </div>
      </fieldset>
      {error('nextFollowUpDays')}
      {bookedNext ? (
        <p className="notice">{format(t.wrapUp.saved, { when: when(bookedNext) })}</p>
      ) : (
        <label className="checkbox">
          <input type="checkbox" checked={bookNext && nextDays !== null} disabled={nextDays === null} onChange={(e) => setBookNext(e.target.checked)} />
          {t.wrapUp.bookNext}
        </label>
      )}
      <button type="submit" className="button" disabled={save.isPending}>
        {save.isPending ? t.wrapUp.saving : t.wrapUp.save}
      </button>
    </form>
  );
}
