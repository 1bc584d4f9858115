'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import type { PhoneSettingsInput } from '@/server/shared/schemas/phone';

type Line = inferRouterOutputs<AppRouter>['phoneLine']['settings'];
type Field = keyof PhoneSettingsInput;
type Draft = Record<Field, string>;

const lines = (text: string) =>
  text
    .split(/[\n,，]/)
    .map((line) => line.trim())
    .filter(Boolean);

function draftOf(line: Line): Draft {
  return {
    numbers: line.numbers.join('\n'),
    allowedAddresses: line.allowedAddresses.join('\n'),
    inboundUsername: line.inboundUsername ?? '',
    inboundPassword: '',
    outboundAddress: line.outboundAddress ?? '',
    outboundNumber: line.outboundNumber ?? '',
    outboundUsername: line.outboundUsername ?? '',
    outboundPassword: '',
  };
}

function inputOf(draft: Draft): PhoneSettingsInput {
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    numbers: lines(draft.numbers),
    allowedAddresses: lines(draft.allowedAddresses),
    inboundUsername: text(draft.inboundUsername),
    // Blank: the saved password stays.
    inboundPassword: draft.inboundPassword === '' ? null : draft.inboundPassword,
    outboundAddress: text(draft.outboundAddress),
    outboundNumber: text(draft.outboundNumber),
    outboundUsername: text(draft.outboundUsername),
    outboundPassword: draft.outboundPassword === '' ? null : draft.outboundPassword,
  };
}

function fieldMessage(t: Pick<Messages, 'phoneLine'>, field: Field): string {
  switch (field) {
    case 'numbers':
      return t.phoneLine.errorNumbers;
    case 'allowedAddresses':
      return t.phoneLine.errorAddresses;
    case 'inboundUsername':
    case 'outboundUsername':
      return t.phoneLine.errorUsername;
    case 'inboundPassword':
    case 'outboundPassword':
      return t.phoneLine.errorPassword;
    case 'outboundAddress':
      return t.phoneLine.errorOutboundAddress;
    case 'outboundNumber':
      return t.phoneLine.errorOutboundNumber;
  }
}

function PhoneLineForm({ line }: { line: Line }) {
  const { t, locale } = useI18n('errors', 'phoneLine');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState(() => draftOf(line));
  const save = useMutation(
    trpc.phoneLine.save.mutationOptions({
      onSuccess: async (saved) => {
        setDraft(draftOf(saved));
        queryClient.setQueryData(trpc.phoneLine.settings.queryKey(), saved);
      },
    }),
  );
  const fieldErrors: Partial<Record<Field, string[]>> = save.error?.data?.code === 'BAD_REQUEST' ? (save.error.data.zodError?.fieldErrors ?? {}) : {};
  const hasError = (field: Field) => (fieldErrors[field]?.length ?? 0) > 0;
  const failure = save.error ? errorMessage(save.error, t, { codes: { BAD_REQUEST: t.phoneLine.invalid, FORBIDDEN: t.errors.forbidden } }) : null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(inputOf(draft));
  }

  const set = (field: Field) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));
  const hintId = (field: Field) => `${id}-${field}-hint`;
  const errorId = (field: Field) => `${id}-${field}-error`;
  const describedBy = (field: Field, hint?: string) =>
    [hint ? hintId(field) : null, hasError(field) ? errorId(field) : null].filter(Boolean).join(' ') || undefined;

  const field = (name: Field, label: string, options: { hint?: string; multiline?: boolean; password?: boolean; inputMode?: 'tel' | 'text' } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {options.multiline ? (
        <textarea
          id={`${id}-${name}`}
          name={name}
          rows={3}
          value={draft[name]}
          onChange={set(name)}
          aria-invalid={hasError(name) || undefined}
          aria-describedby={describedBy(name, options.hint)}
          spellCheck={false}
        />
      ) : (
        <input
          id={`${id}-${name}`}
          name={name}
          type={options.password ? 'password' : 'text'}
          inputMode={options.inputMode}
          value={draft[name]}
          onChange={set(name)}
          aria-invalid={hasError(name) || undefined}
          aria-describedby={describedBy(name, options.hint)}
          autoComplete={options.password ? 'new-password' : 'off'}
        />
      )}
      {options.hint && (
        <p id={hintId(name)} className="muted">
          {options.hint}
        </p>
      )}
      {hasError(name) && (
        <p id={errorId(name)} className="field-error">
          {fieldMessage(t, name)}
        </p>
      )}
    </div>
  );

  const status = !line.provisioned
    ? t.phoneLine.statusNone
    : !line.provisioned.inbound
      ? t.phoneLine.statusNoNumbers
      : format(t.phoneLine.statusReady, { at: new Date(line.provisioned.at).toLocaleString(locale) });

  return (
    <form className="phone-line" aria-labelledby="phone-line-title" onSubmit={onSubmit} noValidate>
      <p className="muted">{t.phoneLine.intro}</p>
      {!line.sipEnabled && <p className="notice">{t.phoneLine.disabled}</p>}
      <p role="status">
        <strong>{t.phoneLine.status}:</strong> {status} {line.sipEnabled && format(t.phoneLine.dialHint, { port: line.sipPort })}
      </p>
      {field('numbers', t.phoneLine.numbers, { hint: t.phoneLine.numbersHint, multiline: true })}
      {field('allowedAddresses', t.phoneLine.allowedAddresses, { hint: t.phoneLine.allowedAddressesHint, multiline: true })}
      {field('inboundUsername', t.phoneLine.inboundUsername)}
      {field('inboundPassword', t.phoneLine.inboundPassword, {
        password: true,
        hint: line.hasInboundPassword ? t.phoneLine.passwordSaved : t.phoneLine.passwordHint,
      })}
      <h3>{t.phoneLine.outboundTitle}</h3>
      {field('outboundAddress', t.phoneLine.outboundAddress)}
      {field('outboundNumber', t.phoneLine.outboundNumber, { inputMode: 'tel' })}
      {field('outboundUsername', t.phoneLine.outboundUsername)}
      {field('outboundPassword', t.phoneLine.outboundPassword, {
        password: true,
        hint: line.hasOutboundPassword ? t.phoneLine.passwordSaved : t.phoneLine.passwordHint,
      })}
      <div className="queue-settings-actions">
        <button className="button" type="submit" disabled={save.isPending}>
          {save.isPending ? t.phoneLine.saving : t.phoneLine.save}
        </button>
        <p role="status" className="saved">
          {save.isSuccess ? (save.data.applied || !save.data.sipEnabled ? t.phoneLine.saved : t.phoneLine.savedNotApplied) : ''}
        </p>
      </div>
      {failure && (
        <p role="alert" className="alert">
          {failure}
        </p>
      )}
    </form>
  );
}

export function PhoneLine() {
  const { t } = useI18n('errors', 'phoneLine');
  const trpc = useTRPC();
  const line = useQuery(trpc.phoneLine.settings.queryOptions());
  return (
    <section aria-labelledby="phone-line-title">
      <h2 id="phone-line-title">{t.phoneLine.title}</h2>
      {line.isPending ? (
        <p className="muted" role="status">
          {t.common.loading}
        </p>
      ) : line.isError ? (
        <p role="alert" className="alert">
          {errorMessage(line.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      ) : (
        <PhoneLineForm line={line.data} />
      )}
    </section>
  );
}
