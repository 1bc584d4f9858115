'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { format } from '@/server/shared/i18n/format';
import { MAX_REASON_LENGTH } from '@/server/shared/scheduling-config';
import { FormField } from './form-field';
import { WhenFields } from './when-fields';
import { ModalDialog } from './modal-dialog';
import { describeRefusal } from './schedule-errors';
import { clinicDate, clinicDateTime, clinicTime } from './schedule-format';

export type ChangeTarget = { id: string; startsAt: string; durationMinutes: number; patient: string };

/** Asks for the new date and time, then moves the appointment; the patient is told by SMS. */
export function RescheduleDialog({
  target,
  timeZone,
  onClose,
  onDone,
  fallbackFocus,
}: {
  target: ChangeTarget;
  timeZone: string;
  onClose: () => void;
  onDone: (message: string, date: string) => void;
  fallbackFocus?: () => HTMLElement | null;
}) {
  const { t, locale } = useI18n('errors', 'schedule');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState({
    date: clinicDate(target.startsAt, timeZone),
    time: clinicTime(target.startsAt, timeZone),
    durationMinutes: String(target.durationMinutes),
  });
  const reschedule = useMutation(
    trpc.schedule.reschedule.mutationOptions({
      onSuccess: async (moved) => {
        await queryClient.invalidateQueries(trpc.schedule.list.pathFilter());
        onDone(
          format(t.schedule.rescheduled, { patient: target.patient, time: clinicDateTime(moved.startsAt, timeZone, locale) }),
          clinicDate(moved.startsAt, timeZone),
        );
      },
    }),
  );
  const refusal = describeRefusal(t, reschedule.error);
  const set = (field: keyof typeof draft) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    reschedule.mutate({
      appointmentId: target.id,
      date: draft.date,
      time: draft.time,
      durationMinutes: draft.durationMinutes.trim() === '' ? Number.NaN : Number(draft.durationMinutes),
    });
  }

  return (
    <ModalDialog open onClose={onClose} labelledBy={`${id}-title`} describedBy={`${id}-intro`} fallbackFocus={fallbackFocus}>
      <form className="modal-body" onSubmit={onSubmit} noValidate>
        <h2 id={`${id}-title`}>{t.schedule.rescheduleTitle}</h2>
        <p id={`${id}-intro`}>{format(t.schedule.rescheduleIntro, { patient: target.patient, time: clinicDateTime(target.startsAt, timeZone, locale) })}</p>
        {refusal.alert && (
          <p role="alert" className="alert">
            {refusal.alert}
          </p>
        )}
        <WhenFields id={id} value={draft} errors={refusal.fields} onChange={set} />
        <div className="offer-actions">
          <button className="button" type="submit" disabled={reschedule.isPending}>
            {reschedule.isPending ? t.schedule.rescheduling : t.schedule.confirmReschedule}
          </button>
          <button className="button secondary" type="button" onClick={onClose}>
            {t.schedule.keepAsIs}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

/** Confirms before cancelling; the patient is told by SMS and their link stops working. */
export function CancelDialog({
  target,
  timeZone,
  onClose,
  onDone,
  fallbackFocus,
}: {
  target: ChangeTarget;
  timeZone: string;
  onClose: () => void;
  onDone: (message: string) => void;
  fallbackFocus?: () => HTMLElement | null;
}) {
  const { t, locale } = useI18n('errors', 'schedule');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [reason, setReason] = useState('');
  const when = clinicDateTime(target.startsAt, timeZone, locale);
  const cancel = useMutation(
    trpc.schedule.cancel.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.schedule.list.pathFilter());
        onDone(format(t.schedule.cancelled, { patient: target.patient, time: when }));
      },
    }),
  );
  const refusal = describeRefusal(t, cancel.error);

  return (
    <ModalDialog open onClose={onClose} labelledBy={`${id}-title`} describedBy={`${id}-intro`} fallbackFocus={fallbackFocus}>
      <form
        className="modal-body"
        onSubmit={(event) => {
          event.preventDefault();
          cancel.mutate({ appointmentId: target.id, reason });
        }}
        noValidate
      >
        <h2 id={`${id}-title`}>{t.schedule.cancelTitle}</h2>
        <p id={`${id}-intro`}>{format(t.schedule.cancelIntro, { patient: target.patient, time: when })}</p>
        {refusal.alert && (
          <p role="alert" className="alert">
            {refusal.alert}
          </p>
        )}
        <FormField id={`${id}-reason`} label={t.schedule.cancelReason} error={refusal.fields.reason}>
          {(control) => <input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={MAX_REASON_LENGTH + 50} autoComplete="off" />}
        </FormField>
        <div className="offer-actions">
          <button className="button danger" type="submit" disabled={cancel.isPending}>
            {cancel.isPending ? t.schedule.cancelling : t.schedule.confirmCancel}
          </button>
          {/* Focus starts on the safe choice. */}
          <button className="button secondary" type="button" onClick={onClose} data-autofocus>
            {t.schedule.keep}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
