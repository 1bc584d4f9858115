import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { visitOfPatient } from '@/server/scheduling/appointment-service';
import { getMessages } from '@/server/i18n/locale';
import { telehealthConsentFor } from '@/server/visit/consent-service';
import { PatientCheckIn } from '@/components/checkin/patient-check-in';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function VisitPage() {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'patient') redirect('/');
  const appointment = await visitOfPatient(principal);
  if (!appointment) redirect('/');
  if (appointment.status === 'COMPLETED') redirect('/visit/summary');
  const { locale, t } = await getMessages();
  const consent = await telehealthConsentFor(principal, locale);
  return (
    <section className="card">
      <h1>{t.waiting.title}</h1>
      <ScreenMessages screen="checkIn">
        <PatientCheckIn
          appointmentId={appointment.id}
          clinicName={appointment.clinic.name}
          clinicianName={appointment.clinician.name}
          consentText={consent.text}
          consented={consent.acceptedAt !== null}
        />
      </ScreenMessages>
    </section>
  );
}
