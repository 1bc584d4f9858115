import { previewLink } from '@/server/access-links/access-link-service';
import { getMessages } from '@/server/i18n/locale';
import { format } from '@/server/shared/i18n/format';
import { formatDateTime } from '@/server/shared/zoned';
import { PatientCheckForm } from '@/components/auth/patient-check-form';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function PatientLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { locale, t } = await getMessages();
  const preview = await previewLink(token);

  if (!preview.ok) {
    return (
      <section className="card">
        <h1>{t.patientCheck.title}</h1>
        <p role="alert" className="alert">
          {t.patientCheck[preview.reason]}
        </p>
      </section>
    );
  }

  return (
    <section className="card">
      <h1>{t.patientCheck.title}</h1>
      <p className="notice">
        <strong>{preview.clinicName}</strong>
        <br />
        {format(t.patientCheck.visitWith, { clinician: preview.clinicianName })}
        <br />
        {formatDateTime(preview.startsAt, preview.timeZone, locale)}
      </p>
      <p>{t.patientCheck.intro}</p>
      <ScreenMessages screen="patientCheck">
        <PatientCheckForm token={token} />
      </ScreenMessages>
    </section>
  );
}
