import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { authorizeConsult } from '@/server/consult/consult-access';
import { DomainError } from '@/server/errors';
import { getMessages } from '@/server/i18n/locale';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { ConsultRoomLoader } from '@/components/consult/consult-room-loader';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function ConsultPage({ params }: { params: Promise<{ appointmentId: string }> }) {
  const { appointmentId } = await params;
  const principal = await currentPrincipal();
  if (!principal) redirect('/');
  const { t } = await getMessages();

  try {
    const { appointment, role, permissions } = await authorizeConsult(principal, appointmentId);
    const title =
      role === 'patient' ? `${appointment.clinic.name} · ${appointment.clinician.name}` : `${appointment.patient.familyName}${appointment.patient.givenName}`;
    return (
      <ScreenMessages screen="consult">
        <ConsultRoomLoader
          appointmentId={appointment.id}
          title={title}
          backHref={principal.kind === 'staff' ? '/staff' : null}
          canEnd={permissions.endForAll}
        />
      </ScreenMessages>
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.reason === 'notYourTurn') redirect('/visit');
    const message = errorMessage(error, t, { codes: { NOT_FOUND: t.errors.notFound, FORBIDDEN: t.errors.forbidden } });
    return (
      <section className="card">
        <p role="alert" className="alert">
          {message}
        </p>
        {principal.kind === 'staff' && <Link href="/staff">{t.consult.back}</Link>}
      </section>
    );
  }
}
