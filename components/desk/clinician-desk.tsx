'use client';

import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { minutesAndSeconds, useNow } from '@/components/hooks/use-now';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { readMediaPreferences } from '@/components/checkin/media-preferences';
import { connectPreparedCall, discardPreparedCall, prepareCall } from '@/components/consult/prepared-call';
import { SpecialistOfferContext } from './specialist-offer-context';

function minutesSince(iso: string, now: number) {
  return minutesAndSeconds((now - new Date(iso).getTime()) / 1000);
}

export function ClinicianDesk() {
  const { t, locale } = useI18n('desk', 'errors', 'staffHome');
  const menuChoice = (choice: { en: string; zh: string } | null) => (choice ? (locale === 'en' ? choice.en : choice.zh) : null);
  const trpc = useTRPC();
  const router = useRouter();
  const now = useNow(1000);
  const desk = useSubscription(trpc.desk.watch.subscriptionOptions());
  const presence = useMutation(trpc.desk.setPresence.mutationOptions());
  const accept = useMutation(
    trpc.desk.accept.mutationOptions({
      onSuccess: (result) => {
        if (!result.appointmentId) return;
        connectPreparedCall(result.appointmentId);
        router.push(`/consult/${result.appointmentId}`);
      },
    }),
  );
  const prepare = useMutation(trpc.consult.prepare.mutationOptions());
  const ringing = desk.data?.offer;
  // A specialist's part in a consult is decided by the accept itself, so only follow-ups are prepared ahead.
  const ringingVisit = ringing && !ringing.specialistRequest ? ringing.appointmentId : null;
  const preparedFor = useRef<string | null>(null);
  useEffect(() => {
    // While the offer rings, its room's connection and this clinician's camera get ready (see prepared-call.ts).
    if (ringingVisit && preparedFor.current !== ringingVisit) {
      preparedFor.current = ringingVisit;
      void import('@/components/consult/consult-room');
      prepare.mutate(
        { appointmentId: ringingVisit },
        { onSuccess: (access) => prepareCall(ringingVisit, access, { video: !readMediaPreferences().audioOnly }) },
      );
    }
    if (!ringingVisit && preparedFor.current && !accept.isPending && !accept.isSuccess) {
      discardPreparedCall(preparedFor.current);
      preparedFor.current = null;
    }
  }, [ringingVisit, prepare, accept.isPending, accept.isSuccess]);
  const decline = useMutation(trpc.desk.decline.mutationOptions());
  const state = desk.data;
  const failure = presence.error ?? accept.error ?? decline.error;

  if (!state) {
    return (
      <p className="muted" role="status">
        {t.common.loading}
      </p>
    );
  }

  const offer = state.offer;
  const secondsLeft = offer ? Math.max(0, Math.ceil((new Date(offer.expiresAt).getTime() - now) / 1000)) : 0;

  return (
    <section className="desk" aria-labelledby="desk-title">
      <h2 id="desk-title" className="visually-hidden">
        {t.desk.title}
      </h2>
      <div className="desk-presence">
        <span role="status" aria-live="polite">
          <span className="presence-dot" data-state={state.presence.state} aria-hidden />
          {t.desk.states[state.presence.state]}
        </span>
        <div className="offer-actions" role="group" aria-label={t.desk.presence}>
          <button
            type="button"
            className="button"
            aria-pressed={state.presence.state === 'AVAILABLE'}
            disabled={presence.isPending || state.presence.state === 'BUSY'}
            onClick={() => presence.mutate({ state: 'AVAILABLE' })}
          >
            {t.desk.goAvailable}
          </button>
          <button
            type="button"
            className="button secondary"
            aria-pressed={state.presence.state === 'OFFLINE'}
            disabled={presence.isPending}
            onClick={() => presence.mutate({ state: 'OFFLINE' })}
          >
            {t.desk.goOffline}
          </button>
        </div>
      </div>

      {failure && (
        <p role="alert" className="alert">
          {errorMessage(failure, t)}
        </p>
      )}

      {state.current?.appointmentId && (
        <p className="notice">
          {t.desk.current} <Link href={`/consult/${state.current.appointmentId}`}>{t.desk.returnToConsult}</Link>
        </p>
      )}

      {offer && secondsLeft > 0 && (
        <div className="offer" role="alertdialog" aria-labelledby="offer-title" aria-describedby="offer-detail">
          <h2 id="offer-title">{t.desk.offerTitle}</h2>
          <p id="offer-detail">
            <strong>{offer.patientName}</strong>
            {offer.channel === 'PHONE' && ` · ${t.desk.byPhone}${offer.callerNumber ? ` ${offer.callerNumber}` : ''}`}
            {[offer.reason, menuChoice(offer.menuChoice)]
              .filter(Boolean)
              .map((part) => ` · ${part}`)
              .join('')}{' '}
            · {t.desk.waited} {minutesSince(offer.waitingSince, now)}
          </p>
          {offer.specialistRequest && <SpecialistOfferContext request={offer.specialistRequest} />}
          <p aria-live="off">{format(t.desk.offerCountdown, { seconds: secondsLeft })}</p>
          <div className="offer-actions">
            <button type="button" className="button" disabled={accept.isPending} onClick={() => accept.mutate({ offerId: offer.id })}>
              {t.desk.accept}
            </button>
            <button type="button" className="button secondary" disabled={decline.isPending} onClick={() => decline.mutate({ offerId: offer.id })}>
              {t.desk.decline}
            </button>
          </div>
        </div>
      )}

      <div>
        <h2>{t.desk.board}</h2>
        {state.board.length === 0 ? (
          <p className="notice">{t.desk.boardEmpty}</p>
        ) : (
          <table className="appointments" aria-label={t.desk.board}>
            <thead>
              <tr>
                <th scope="col">{t.staffHome.patient}</th>
                <th scope="col">{t.desk.waited}</th>
                <th scope="col">{t.staffHome.reason}</th>
                <th scope="col">{t.desk.priority}</th>
                <th scope="col">{t.desk.preferred}</th>
                <th scope="col">{t.staffHome.status}</th>
              </tr>
            </thead>
            <tbody>
              {state.board.map((task) => (
                <tr key={task.id}>
                  <td>
                    {task.patientName ?? task.channel}
                    {task.channel === 'PHONE' && (
                      <span className="muted">
                        {' '}
                        · {t.desk.byPhone}
                        {task.callerNumber ? ` ${task.callerNumber}` : ''}
                      </span>
                    )}
                  </td>
                  <td>{minutesSince(task.waitingSince, now)}</td>
                  <td>{[task.reason, menuChoice(task.menuChoice)].filter(Boolean).join(' · ') || t.staffHome.noReason}</td>
                  <td>{task.priority}</td>
                  <td>{task.preferredClinician ?? t.staffHome.noReason}</td>
                  <td>
                    <span className="status">{task.state === 'OFFERED' ? t.desk.stateOffered : t.desk.stateWaiting}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
