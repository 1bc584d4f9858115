'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { queueSettingsInput } from '@/server/shared/schemas/routing';

type Queue = inferRouterOutputs<AppRouter>['queues']['list'][number];
type SettingsInput = z.input<typeof queueSettingsInput>;

const NUMBER_FIELDS = [
  'preferredClinicianSeconds',
  'agingSecondsPerPriority',
  'serviceLevelSeconds',
  'offerTimeoutSeconds',
  'wrapUpSeconds',
  'overflowAfterSeconds',
  'maxWaitSeconds',
] as const;
type NumberField = (typeof NUMBER_FIELDS)[number];
type Field = Exclude<keyof SettingsInput, 'queueId' | 'skipIvr'>;

/** What the inputs hold: text, as typed. Empty numbers are sent as null and the server says whether that is allowed. */
type Draft = Record<Field, string> & { skipIvr: boolean };

const shape = queueSettingsInput.shape;

/** Allowed range of a numeric setting, read from the same schema the server validates with. */
function rangeOf(field: NumberField) {
  const schema = shape[field];
  const number = 'unwrap' in schema ? schema.unwrap() : schema;
  return { min: number.minValue ?? 0, max: number.maxValue ?? 0, nullable: 'unwrap' in schema };
}

function draftOf(queue: Queue): Draft {
  const text = (value: number | null) => (value === null ? '' : String(value));
  return {
    name: queue.name,
    requiredSkills: queue.requiredSkills.join(', '),
    preferredClinicianSeconds: text(queue.preferredClinicianSeconds),
    agingSecondsPerPriority: text(queue.agingSecondsPerPriority),
    serviceLevelSeconds: text(queue.serviceLevelSeconds),
    offerTimeoutSeconds: text(queue.offerTimeoutSeconds),
    wrapUpSeconds: text(queue.wrapUpSeconds),
    overflowQueueId: queue.overflowQueueId ?? '',
    overflowAfterSeconds: text(queue.overflowAfterSeconds),
    maxWaitSeconds: text(queue.maxWaitSeconds),
    skipIvr: queue.skipIvr,
  };
}

function inputOf(queueId: string, draft: Draft): SettingsInput {
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((field) => [field, draft[field].trim() === '' ? null : Number(draft[field])])) as Record<
    NumberField,
    number
  >; // null for a required number is refused by the server, with a field error.
  return {
    queueId,
    name: draft.name,
    requiredSkills: draft.requiredSkills
      .split(/[,，、]/)
      .map((skill) => skill.trim())
      .filter(Boolean),
    overflowQueueId: draft.overflowQueueId || null,
    skipIvr: draft.skipIvr,
    ...numbers,
  };
}

/** The message shown next to a field the server refused, in the reader's language. */
function fieldMessage(t: Pick<Messages, 'queues'>, field: Field, draft: Draft): string {
  if (field === 'name') return format(t.queues.errorName, { max: shape.name.maxLength ?? 80 });
  if (field === 'requiredSkills') return t.queues.errorSkills;
  if (field === 'overflowQueueId') return t.queues.errorOverflowSelf;
  if (field === 'overflowAfterSeconds' && (draft.overflowQueueId === '') !== (draft.overflowAfterSeconds.trim() === '')) {
    return t.queues.errorOverflowPair;
  }
  const { min, max, nullable } = rangeOf(field);
  return format(nullable ? t.queues.errorRangeOrEmpty : t.queues.errorRange, { min, max });
}

function QueueForm({ queue, others }: { queue: Queue; others: Queue[] }) {
  const { t } = useI18n('errors', 'queues');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState(() => draftOf(queue));
  const [submitted, setSubmitted] = useState(draft);
  const update = useMutation(
    trpc.queues.update.mutationOptions({
      onSuccess: async (saved) => {
        setDraft(draftOf(saved));
        await queryClient.invalidateQueries({ queryKey: trpc.queues.list.queryKey() });
      },
    }),
  );

  const fieldErrors: Partial<Record<Field, string[]>> = update.error?.data?.code === 'BAD_REQUEST' ? (update.error.data.zodError?.fieldErrors ?? {}) : {};
  const hasError = (field: Field) => (fieldErrors[field]?.length ?? 0) > 0;
  const failure = update.error
    ? errorMessage(update.error, t, { codes: { BAD_REQUEST: t.queues.invalid, FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound } })
    : null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(draft);
    update.mutate(inputOf(queue.id, draft));
  }

  const set = (field: Field) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));
  const describedBy = (field: Field) => (hasError(field) ? `${id}-${field}-error` : undefined);
  const errorFor = (field: Field) =>
    hasError(field) && (
      <p id={`${id}-${field}-error`} className="field-error">
        {/* Judged on what was sent, not on what has been typed since. */}
        {fieldMessage(t, field, submitted)}
      </p>
    );

  const textField = (field: 'name' | 'requiredSkills', label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <input
        id={`${id}-${field}`}
        name={field}
        value={draft[field]}
        onChange={set(field)}
        aria-invalid={hasError(field) || undefined}
        aria-describedby={describedBy(field)}
        autoComplete="off"
      />
      {errorFor(field)}
    </div>
  );

  const numberField = (field: NumberField, label: string) => {
    const { min, max } = rangeOf(field);
    return (
      <div className="field">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <input
          id={`${id}-${field}`}
          name={field}
          type="number"
          inputMode="numeric"
          step={1}
          min={min}
          max={max}
          value={draft[field]}
          onChange={set(field)}
          aria-invalid={hasError(field) || undefined}
          aria-describedby={describedBy(field)}
        />
        {errorFor(field)}
      </div>
    );
  };

  return (
    <form className="queue-settings" aria-labelledby={`${id}-title`} onSubmit={onSubmit} noValidate>
      <h3 id={`${id}-title`} className="queue-settings-title">
        {queue.name}
      </h3>
      {textField('name', t.queues.name)}
      {textField('requiredSkills', t.queues.skills)}
      {numberField('preferredClinicianSeconds', t.queues.preferred)}
      {numberField('agingSecondsPerPriority', t.queues.aging)}
      {numberField('serviceLevelSeconds', t.queues.serviceLevel)}
      {numberField('offerTimeoutSeconds', t.queues.offerTimeout)}
      {numberField('wrapUpSeconds', t.queues.wrapUp)}
      <div className="field">
        <label htmlFor={`${id}-overflowQueueId`}>{t.queues.overflowQueue}</label>
        <select
          id={`${id}-overflowQueueId`}
          name="overflowQueueId"
          value={draft.overflowQueueId}
          onChange={set('overflowQueueId')}
          aria-invalid={hasError('overflowQueueId') || undefined}
          aria-describedby={describedBy('overflowQueueId')}
        >
          <option value="">{t.queues.noOverflow}</option>
          {others.map((other) => (
            <option key={other.id} value={other.id}>
              {other.name}
            </option>
          ))}
        </select>
        {errorFor('overflowQueueId')}
      </div>
      {numberField('overflowAfterSeconds', t.queues.overflowAfter)}
      {numberField('maxWaitSeconds', t.queues.maxWait)}
      <div className="field field-check">
        <input
          id={`${id}-skipIvr`}
          name="skipIvr"
          type="checkbox"
          checked={draft.skipIvr}
          onChange={(event) => setDraft((d) => ({ ...d, skipIvr: event.target.checked }))}
          aria-describedby={`${id}-skipIvr-hint`}
        />
        <label htmlFor={`${id}-skipIvr`}>{t.queues.skipIvr}</label>
        <p id={`${id}-skipIvr-hint`} className="muted">
          {t.queues.skipIvrHint}
        </p>
      </div>
      <div className="queue-settings-actions">
        <button className="button" type="submit" disabled={update.isPending}>
          {update.isPending ? t.queues.saving : t.queues.save}
        </button>
        <p role="status" className="saved">
          {update.isSuccess ? t.queues.saved : ''}
        </p>
      </div>
      {failure && (
        <p role="alert" className="alert queue-settings-failure">
          {failure}
        </p>
      )}
    </form>
  );
}

export function QueueSettings() {
  const { t } = useI18n('errors', 'queues');
  const trpc = useTRPC();
  const queues = useQuery(trpc.queues.list.queryOptions());

  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">{t.queues.title}</h2>
      {queues.isPending ? (
        <p className="muted" role="status">
          {t.common.loading}
        </p>
      ) : queues.isError ? (
        <p role="alert" className="alert">
          {errorMessage(queues.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      ) : queues.data.length === 0 ? (
        <p className="notice">{t.queues.empty}</p>
      ) : (
        queues.data.map((queue) => <QueueForm key={queue.id} queue={queue} others={queues.data.filter((other) => other.id !== queue.id)} />)
      )}
    </section>
  );
}
