'use client';

import { useEffect, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { PatientCall } from '@/components/call/patient-call';
import { ConsentStep } from './consent-step';
import { DeviceCheck } from './device-check';
import { VitalsStep } from './vitals-step';
import { readMediaPreferences, saveMediaPreferences } from './media-preferences';

type Step = 'loading' | 'consent' | 'devices' | 'vitals' | 'waiting';

/** The patient's steps after proving who they are: consent, device check, home vitals (skippable), then the call (menu, wait, consult). */
export function PatientCheckIn({
  appointmentId,
  clinicName,
  clinicianName,
  consentText,
  consented,
}: {
  appointmentId: string;
  clinicName: string;
  clinicianName: string;
  consentText: string;
  consented: boolean;
}) {
  const { t } = useI18n('consent', 'deviceCheck', 'vitalsForm');
  const [step, setStep] = useState<Step>('loading');

  useEffect(() => {
    // Decided once, on arrival; after that the steps move on by themselves (the consent needs no page refresh).
    setStep((current) => {
      if (current !== 'loading') return current;
      if (!consented) return 'consent';
      return readMediaPreferences().checked ? 'waiting' : 'devices';
    });
  }, [consented]);

  if (step === 'loading') return <p role="status">{t.common.loading}</p>;
  if (step === 'consent') {
    return (
      <>
        <h2>{t.consent.title}</h2>
        <ConsentStep text={consentText} onAccepted={() => setStep('devices')} />
      </>
    );
  }
  if (step === 'devices') {
    return (
      <>
        <h2>{t.deviceCheck.title}</h2>
        <DeviceCheck
          onDone={({ audioOnly }) => {
            saveMediaPreferences({ checked: true, audioOnly });
            setStep('vitals');
          }}
        />
      </>
    );
  }
  if (step === 'vitals') {
    return (
      <>
        <h2>{t.vitalsForm.title}</h2>
        <VitalsStep appointmentId={appointmentId} onDone={() => setStep('waiting')} />
      </>
    );
  }
  return <PatientCall appointmentId={appointmentId} clinicName={clinicName} clinicianName={clinicianName} />;
}
