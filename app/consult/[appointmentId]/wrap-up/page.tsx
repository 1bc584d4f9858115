import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { DomainError } from '@/server/errors';
import { getMessages } from '@/server/i18n/locale';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { wrapUpView } from '@/server/visit/wrap-up-service';
import { WrapUpForm } from '@/components/visit/wrap-up-form';
import { SpecialistNotesList } from '@/components/consult/participants-specialist-notes';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function WrapUpPage({ params }: { params: Promise<{ appointmentId: string }> }) {
  const { appointmentId } = await params;
  const principal = await currentPrincipal();
  if (principal?.kind !== 'staff') redirect('/signin');
  const { t } = await getMessages();
  try {
    const view = await wrapUpView(principal, appointmentId);
    const patientName = `${view.appointment.patient.familyName}${view.appointment.patient.givenName}`;
    return (
      <section className="card wide">
        <h1>{t.wrapUp.title}</h1>
        <p className="muted">
          {t.wrapUp.patient}: <strong>{patientName}</strong>
          {view.appointment.reason ? ` · ${view.appointment.reason}` : ''}
        </p>
        <ScreenMessages screen="wrapUp">
          <SpecialistNotesList appointmentId={view.appointment.id} />
          <WrapUpForm
            appointmentId={view.appointment.id}
            timeZone={view.timeZone}
            initial={
              view.note && {
                freeText: view.note.freeText,
                assessment: view.note.assessment,
                plan: view.note.plan,
                nextFollowUpDays: view.note.nextFollowUpDays,
              }
            }
            bookedNext={view.next?.startsAt.toISOString() ?? null}
          />
        </ScreenMessages>
      </section>
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return (
      <section className="card">
        <p role="alert" className="alert">
          {errorMessage(error, t, { codes: { NOT_FOUND: t.errors.notFound, FORBIDDEN: t.errors.forbidden } })}
        </p>
        <Link href="/staff">{t.consult.back}</Link>
      </section>
    );
  }
}
