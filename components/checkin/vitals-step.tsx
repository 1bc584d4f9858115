'use client';

import { useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { VitalsForm, type VitalsSaved } from '@/components/ehr/vitals-form';
import { VitalsOutcome } from '@/components/ehr/vitals-outcome';

/** Optional home readings before the waiting room: send them, or skip. */
export function VitalsStep({ appointmentId, onDone }: { appointmentId: string; onDone: () => void }) {
  const { t } = useI18n('vitalsForm');
  const [saved, setSaved] = useState<VitalsSaved | null>(null);
  if (saved) {
    return (
      <div className="stack">
        <VitalsOutcome saved={saved} />
        <button className="button" type="button" onClick={onDone}>
          {t.vitalsForm.continue}
        </button>
      </div>
    );
  }
  return (
    <>
      <p className="muted">{t.vitalsForm.intro}</p>
      <VitalsForm
        appointmentId={appointmentId}
        onSaved={setSaved}
        secondary={
          <button className="button secondary" type="button" onClick={onDone}>
            {t.vitalsForm.skip}
          </button>
        }
      />
    </>
  );
}
