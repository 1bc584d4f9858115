'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { DEFAULT_DURATION_MINUTES, MAX_REASON_LENGTH } from '@/server/shared/scheduling-config';
import { FormField } from './form-field';
import { WhenFields } from './when-fields';
import { describeRefusal, type ScheduleField } from './schedule-errors';
import { patientName } from './schedule-format';

export type Booked = { id: string; clinicianId: string; startsAt: string; patient: string };

const FIELD_ORDER: ScheduleField[] = ['patientId', 'clinicianId', 'date', 'time', 'durationMinutes', 'reason'];

/** Waits until typing pauses before searching. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function AppointmentForm({
  defaultClinicianId,
  defaultDate,
  onBooked,
  onClose,
}: {
  defaultClinicianId: string | null;
  defaultDate: string;
  onBooked: (booked: Booked) => void;
  onClose: () => void;
}) {
  const { t } = useI18n('errors', 'schedule');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [search, setSearch] = useState('');
  const [chosenName, setChosenName] = useState('');
  const query = useDebounced(search.trim(), 250);
  const [draft, setDraft] = useState({
    patientId: '',
    clinicianId: defaultClinicianId ?? '',
    date: defaultDate,
    time: '',
    durationMinutes: String(DEFAULT_DURATION_MINUTES),
    reason: '',
  });
  const patients = useQuery({
    ...trpc.schedule.listPatients.queryOptions({ query: query || undefined }),
    placeholderData: keepPreviousData,
  });
  const create = useMutation(
    trpc.schedule.create.mutationOptions({
      onSuccess: async (created) => {
        const patient = patients.data?.find((p) => p.id === created.patientId);
        await queryClient.invalidateQueries(trpc.schedule.list.pathFilter());
        onBooked({
          id: created.id,
          clinicianId: created.clinicianId,
          startsAt: String(created.startsAt),
          patient: patient ? patientName(patient) : (chosenName.split(' · ')[0] ?? ''),
        });
      },
    }),
  );
  const refusal = describeRefusal(t, create.error);

  // After a refusal, the first marked field gets the focus so keyboard and screen-reader users land on it.
  useEffect(() => {
    const first = FIELD_ORDER.find((field) => refusal.fields[field]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(`${id}-${first}`)}`)?.focus();
  }, [create.error]); // eslint-disable-line react-hooks/exhaustive-deps

  const set = (field: keyof typeof draft) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({
      patientId: draft.patientId,
      clinicianId: draft.clinicianId,
      date: draft.date,
      time: draft.time,
      durationMinutes: draft.durationMinutes.trim() === '' ? Number.NaN : Number(draft.durationMinutes),
      reason: draft.reason,
    });
  }

  const options = patients.data ?? [];
  // The chosen patient stays selectable while another search is shown.
  const chosenMissing = draft.patientId !== '' && !options.some((p) => p.id === draft.patientId);

  return (
    <form ref={formRef} className="schedule-form" aria-labelledby={`${id}-title`} onSubmit={onSubmit} noValidate>
      <div className="schedule-form-head">
        <h2 id={`${id}-title`}>{t.schedule.formTitle}</h2>
        <button type="button" className="button secondary small" onClick={onClose}>
          {t.schedule.closeForm}
        </button>
      </div>
      {refusal.alert && (
        <p role="alert" className="alert schedule-form-wide">
          {refusal.alert}
        </p>
      )}
      <FormField id={`${id}-search`} label={t.schedule.findPatient} hint={t.schedule.findPatientHint}>
        {(control) => <input {...control} type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />}
      </FormField>
      <FormField
        id={`${id}-patientId`}
        label={t.schedule.patient}
        hint={!patients.isPending && options.length === 0 ? t.schedule.noPatients : undefined}
        error={refusal.fields.patientId}
      >
        {(control) => (
          <select
            {...control}
            value={draft.patientId}
            onChange={(event) => {
              setChosenName(event.target.selectedOptions[0]?.text ?? '');
              set('patientId')(event);
            }}
            aria-busy={patients.isFetching || undefined}
          >
            <option value="">{t.schedule.choosePatient}</option>
            {chosenMissing && <option value={draft.patientId}>{chosenName}</option>}
            {options.map((patient) => (
              <option key={patient.id} value={patient.id}>
                {patientName(patient)} · {String(patient.birthDate).slice(0, 10)}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <WhenFields id={id} value={draft} errors={refusal.fields} onChange={set} />
      <FormField id={`${id}-reason`} label={t.schedule.reason} hint={t.schedule.reasonHint} error={refusal.fields.reason}>
        {(control) => <input {...control} value={draft.reason} onChange={set('reason')} maxLength={MAX_REASON_LENGTH + 50} autoComplete="off" />}
      </FormField>
      <div className="schedule-form-wide">
        <button className="button" type="submit" disabled={create.isPending}>
          {create.isPending ? t.schedule.booking : t.schedule.book}
        </button>
      </div>
    </form>
  );
}
