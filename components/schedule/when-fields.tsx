'use client';

import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';
import { MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, SLOT_MINUTES, WORKING_DAY_END, WORKING_DAY_START } from '@/server/shared/scheduling-config';
import { FormField } from './form-field';

type When = { date: string; time: string; durationMinutes: string };
type Change = (field: keyof When) => (event: { target: { value: string } }) => void;

/** Date, time and duration of a visit: the same fields when booking and when moving one. */
export function WhenFields({ id, value, errors, onChange }: { id: string; value: When; errors: Partial<Record<keyof When, string>>; onChange: Change }) {
  const { t } = useI18n('schedule');
  return (
    <>
      <FormField id={`${id}-date`} label={t.schedule.date} error={errors.date}>
        {(control) => <input {...control} type="date" value={value.date} onChange={onChange('date')} required />}
      </FormField>
      <FormField
        id={`${id}-time`}
        label={t.schedule.time}
        hint={format(t.schedule.hoursHint, { start: WORKING_DAY_START, end: WORKING_DAY_END })}
        error={errors.time}
      >
        {(control) => (
          <input
            {...control}
            type="time"
            step={SLOT_MINUTES * 60}
            min={WORKING_DAY_START}
            max={WORKING_DAY_END}
            value={value.time}
            onChange={onChange('time')}
            required
          />
        )}
      </FormField>
      <FormField id={`${id}-durationMinutes`} label={t.schedule.duration} error={errors.durationMinutes}>
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            min={MIN_DURATION_MINUTES}
            max={MAX_DURATION_MINUTES}
            step={5}
            value={value.durationMinutes}
            onChange={onChange('durationMinutes')}
            required
          />
        )}
      </FormField>
    </>
  );
}
