'use client';

import { useEffect, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { WaitingRoom } from '@/components/waiting/waiting-room';
import { DeviceCheck } from './device-check';
import { readMediaPreferences, saveMediaPreferences } from './media-preferences';

/** The patient's steps after proving who they are: device check, then the waiting room. */
export function PatientCheckIn({ clinicName, clinicianName }: { clinicName: string; clinicianName: string }) {
  const { t } = useI18n();
  const [step, setStep] = useState<'loading' | 'devices' | 'waiting'>('loading');

  useEffect(() => {
    setStep(readMediaPreferences().checked ? 'waiting' : 'devices');
  }, []);

  if (step === 'loading') return <p role="status">{t.common.loading}</p>;
  if (step === 'devices') {
    return (
      <>
        <h2>{t.deviceCheck.title}</h2>
        <DeviceCheck
          onDone={({ audioOnly }) => {
            saveMediaPreferences({ checked: true, audioOnly });
            setStep('waiting');
          }}
        />
      </>
    );
  }
  return <WaitingRoom clinicName={clinicName} clinicianName={clinicianName} />;
}
