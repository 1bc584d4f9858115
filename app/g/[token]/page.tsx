import { previewInvite } from '@/server/consult/invite-service';
import { getMessages } from '@/server/i18n/locale';
import { format } from '@/server/shared/i18n/format';
import { GuestJoinForm } from '@/components/consult/participants-guest-form';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function GuestInvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { t } = await getMessages();
  const preview = await previewInvite(token);

  if (!preview.ok) {
    return (
      <section className="card">
        <h1>{t.guest.title}</h1>
        <p role="alert" className="alert">
          {t.guest[preview.reason]}
        </p>
      </section>
    );
  }
  return (
    <section className="card">
      <h1>{t.guest.title}</h1>
      <p className="notice">
        <strong>{preview.clinicName}</strong>
        <br />
        {format(t.guest.invitedAs, { role: t.multiparty.roles[preview.role] })}
      </p>
      <p>{t.guest.intro}</p>
      <ScreenMessages screen="guestJoin">
        <GuestJoinForm token={token} appointmentId={preview.appointmentId} />
      </ScreenMessages>
    </section>
  );
}
