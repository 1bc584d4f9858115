'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { BLOOD_PRESSURE, VITALS, type Range } from '@/server/shared/vital-signs';
import type { FhirRefusalReason } from '@/server/clinical/fhir-outbox';

type Field = 'systolic' | 'diastolic' | 'heartRate' | 'oxygenSaturation' | 'bodyTemperature' | 'bodyWeight' | 'bloodGlucose';

const FIELDS: { field: Field; limits: Range; unit: string; decimals: number }[] = [
  { field: 'systolic', limits: BLOOD_PRESSURE.systolic.limits, unit: BLOOD_PRESSURE.unit.display, decimals: 0 },
  { field: 'diastolic', limits: BLOOD_PRESSURE.diastolic.limits, unit: BLOOD_PRESSURE.unit.display, decimals: 0 },
  ...(['heartRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight', 'bloodGlucose'] as const).map((field) => ({
    field,
    limits: VITALS[field].limits,
    unit: VITALS[field].unit.display,
    decimals: VITALS[field].decimals,
  })),
];

/** What became of a reading: stored, kept until the record system is back, or refused by it (and why). */
export type VitalsSaved = { status: 'stored' | 'queued' } | { status: 'notStored'; reason: FhirRefusalReason };

/** Large, unit-labelled inputs for home readings; values outside physiological limits are refused here and on the server. */
export function VitalsForm({
  appointmentId,
  onSaved,
  secondary,
}: {
  appointmentId: string;
  onSaved: (saved: VitalsSaved) => void;
  secondary?: React.ReactNode;
}) {
  const { t } = useI18n('vitalsForm');
  const trpc = useTRPC();
  const formId = useId();
  const [values, setValues] = useState<Record<Field, string>>(() => Object.fromEntries(FIELDS.map((f) => [f.field, ''])) as Record<Field, string>);
  const [errors, setErrors] = useState<string[]>([]);
  // One id per reading: a retry after a lost answer stores the reading once.
  const readingId = useRef<string>(crypto.randomUUID());
  const submit = useMutation(
    trpc.clinical.submitVitals.mutationOptions({
      onSuccess: (result) => {
        readingId.current = crypto.randomUUID();
        setValues(Object.fromEntries(FIELDS.map((f) => [f.field, ''])) as Record<Field, string>);
        onSaved(result.status === 'notStored' ? { status: 'notStored', reason: result.reason } : { status: result.status });
      },
    }),
  );

  const label = (field: Field) => t.vitalsForm[field];

  function validate(): { reading: Partial<Record<Field, number>>; problems: string[] } {
    const reading: Partial<Record<Field, number>> = {};
    const problems: string[] = [];
    for (const { field, limits, unit } of FIELDS) {
      const raw = values[field].trim().replace(',', '.');
      if (!raw) continue;
      const value = Number(raw);
      if (!Number.isFinite(value)) {
        problems.push(t.vitalsForm.notNumber.replace('{field}', label(field)));
      } else if (value < limits.min || value > limits.max) {
        problems.push(
          t.vitalsForm.range.replace('{field}', label(field)).replace('{min}', String(limits.min)).replace('{max}', String(limits.max)).replace('{unit}', unit),
        );
      } else {
        reading[field] = value;
      }
    }
    const hasSystolic = values.systolic.trim() !== '';
    const hasDiastolic = values.diastolic.trim() !== '';
    if (hasSystolic !== hasDiastolic) problems.push(t.vitalsForm.bothBloodPressure);
    else if (reading.systolic !== undefined && reading.diastolic !== undefined && reading.systolic <= reading.diastolic) {
      problems.push(t.vitalsForm.bloodPressureOrder);
    }
    if (problems.length === 0 && Object.keys(reading).length === 0) problems.push(t.vitalsForm.empty);
    return { reading, problems };
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { reading, problems } = validate();
    setErrors(problems);
    if (problems.length) return;
    submit.mutate({ appointmentId, reading, clientReadingId: readingId.current });
  }

  const input = (field: Field) => {
    const spec = FIELDS.find((f) => f.field === field)!;
    const id = `${formId}-${field}`;
    return (
      <div className="vital-input" key={field}>
        <label htmlFor={id}>{label(field)}</label>
        <div className="vital-input-row">
          <input
            id={id}
            name={field}
            inputMode="decimal"
            autoComplete="off"
            value={values[field]}
            aria-describedby={`${id}-unit`}
            onChange={(event) => setValues((current) => ({ ...current, [field]: event.target.value }))}
          />
          <span id={`${id}-unit`} className="vital-unit">
            {spec.unit}
          </span>
        </div>
      </div>
    );
  };

  const serverProblem = submit.error?.data?.zodError ? t.vitalsForm.empty : submit.isError ? t.vitalsForm.failed : null;
  return (
    <form className="stack vitals-form" onSubmit={onSubmit} noValidate>
      <fieldset>
        <legend>{t.vitalsForm.bloodPressure}</legend>
        <div className="vital-pair">
          {input('systolic')}
          {input('diastolic')}
        </div>
      </fieldset>
      {input('heartRate')}
      {input('oxygenSaturation')}
      {input('bodyTemperature')}
      {input('bodyWeight')}
      {input('bloodGlucose')}
      {(errors.length > 0 || serverProblem) && (
        <div role="alert" className="alert">
          {errors.length > 0 ? (
            <ul className="vital-errors">
              {errors.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          ) : (
            serverProblem
          )}
        </div>
      )}
      <div className="vitals-actions">
        <button className="button" type="submit" disabled={submit.isPending}>
          {submit.isPending ? t.vitalsForm.submitting : t.vitalsForm.submit}
        </button>
        {secondary}
      </div>
    </form>
  );
}
