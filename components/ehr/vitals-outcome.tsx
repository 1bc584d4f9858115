'use client';

import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';
import type { VitalsSaved } from './vitals-form';

/** What became of the reading just sent: stored, kept until the record system is back, or refused and why. */
export function VitalsOutcome({ saved }: { saved: VitalsSaved }) {
  const { t } = useI18n('vitalsForm', 'errors');
  if (saved.status === 'notStored') {
    return (
      <div className="alert" role="alert">
        <p>{t.vitalsForm.notStored}</p>
        <p>{format(t.vitalsForm.notStoredReason, { reason: t.errors[saved.reason] })}</p>
      </div>
    );
  }
  return (
    <p className="notice" role="status">
      {saved.status === 'stored' ? t.vitalsForm.stored : t.vitalsForm.queued}
    </p>
  );
}
