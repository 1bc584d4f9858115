import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { serverCaller } from '@/server/api/server-caller';
import { getMessages } from '@/server/i18n/locale';
import { format } from '@/server/shared/i18n/format';
import { formatTime } from '@/server/shared/zoned';
import { CLOSED_VISIT_STATUSES } from '@/server/shared/visit-status';
import { CHANGEABLE_STATUSES } from '@/server/shared/scheduling-config';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { ClinicianDesk } from '@/components/desk/clinician-desk';
import { NoShowButton } from '@/components/desk/no-show-button';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

/** Not started, not ended: the visits a clinician may still mark as a no-show once their time has come. */
const isChangeable = (status: string) => (CHANGEABLE_STATUSES as readonly string[]).includes(status);

export default async function StaffHomePage() {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'staff') redirect('/signin');
  const { locale, t } = await getMessages();
  const caller = await serverCaller();
  const today = await caller.appointment.listToday();
  const canJoin = principal.role !== 'ADMIN';
  const now = new Date();

  return (
    <ScreenMessages screen="desk">
      <section>
        <div className="page-head">
          <div>
            <h1>
              {t.staffHome.title} · {today.clinicName}
            </h1>
            <p className="muted">{format(t.staffHome.greeting, { name: principal.name })}</p>
          </div>
          <div className="offer-actions">
            <Link className="button secondary" href="/schedule">
              {t.schedule.open}
            </Link>
            {principal.role === 'ADMIN' && (
              <Link className="button secondary" href="/admin">
                {t.staffHome.admin}
              </Link>
            )}
            <SignOutButton />
          </div>
        </div>
        {canJoin && <ClinicianDesk />}
        {today.appointments.length === 0 ? (
          <p className="notice">{t.staffHome.empty}</p>
        ) : (
          <table className="appointments">
            <thead>
              <tr>
                <th scope="col">{t.staffHome.time}</th>
                <th scope="col">{t.staffHome.patient}</th>
                <th scope="col">{t.staffHome.reason}</th>
                <th scope="col">{t.staffHome.status}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.staffHome.open}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {today.appointments.map((appointment) => {
                const patientName = `${appointment.patient.familyName}${appointment.patient.givenName}`;
                return (
                  <tr key={appointment.id}>
                    <td>{formatTime(appointment.startsAt, today.timeZone, locale)}</td>
                    <td>{patientName}</td>
                    <td>{appointment.reason ?? t.staffHome.noReason}</td>
                    <td>
                      <span className="status">{t.appointmentStatus[appointment.status]}</span>
                    </td>
                    <td>
                      {canJoin && !CLOSED_VISIT_STATUSES.has(appointment.status) && (
                        <Link className="button" href={`/consult/${appointment.id}`} aria-label={`${t.staffHome.open}: ${patientName}`}>
                          {t.staffHome.open}
                        </Link>
                      )}
                      {canJoin && isChangeable(appointment.status) && appointment.startsAt <= now && (
                        <NoShowButton appointmentId={appointment.id} patientName={patientName} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </ScreenMessages>
  );
}
