import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';
import { format } from '@/server/shared/i18n/format';
import { visitOfPatient } from '@/server/scheduling/appointment-service';
import { CHANGEABLE_STATUSES } from '@/server/shared/scheduling-config';
import { formatDateTime } from '@/server/shared/zoned';
import { PatientReschedule } from '@/components/schedule/patient-reschedule';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

/** The patient, signed in by their link, moves their visit to one of their clinician's free times. */
export default async function VisitReschedulePage() {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'patient') redirect('/');
  const appointment = await visitOfPatient(principal);
  if (!appointment) redirect('/');
  const { locale, t } = await getMessages();
  const changeable = (CHANGEABLE_STATUSES as readonly string[]).includes(appointment.status);

  return (
    <section className="card patient-reschedule">
      <h1>{t.patientReschedule.title}</h1>
      <p className="muted">{appointment.clinic.name}</p>
      {changeable ? (
        <ScreenMessages screen="patientReschedule">
          <PatientReschedule
            appointmentId={appointment.id}
            clinicianName={appointment.clinician.name}
            timeZone={appointment.clinic.timeZone}
            currentLabel={formatDateTime(appointment.startsAt, appointment.clinic.timeZone, locale)}
          />
        </ScreenMessages>
      ) : (
        <>
          <p role="alert" className="alert">
            {t.patientReschedule.notChangeable}
          </p>
          <p className="notice">
            {format(t.patientReschedule.current, {
              clinician: appointment.clinician.name,
              time: formatDateTime(appointment.startsAt, appointment.clinic.timeZone, locale),
            })}
          </p>
        </>
      )}
      <Link className="button secondary block" href="/visit">
        {t.patientReschedule.back}
      </Link>
    </section>
  );
}
