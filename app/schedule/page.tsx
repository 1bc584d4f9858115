import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { serverCaller } from '@/server/api/server-caller';
import { getMessages } from '@/server/i18n/locale';
import { localDateSchema } from '@/server/scheduling/schemas';
import { ScheduleBoard } from '@/components/schedule/schedule-board';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

type Search = { clinician?: string; date?: string; view?: string };

/** Day and week views per clinician, with booking, moving and cancelling. `?clinician=&date=&view=day` */
export default async function SchedulePage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'staff') redirect(principal ? '/' : '/signin');
  const { t } = await getMessages();
  const search = await searchParams;
  const caller = await serverCaller();
  const { clinicName, timeZone, today, clinicians } = await caller.schedule.context();
  const date = localDateSchema.safeParse(search.date).success ? search.date! : today;
  const chosen = clinicians.find((c) => c.id === search.clinician)?.id;
  // Clinicians start on their own schedule; nurses and admins on the clinic's first clinician.
  const own = principal.role === 'CLINICIAN' && clinicians.some((c) => c.id === principal.id) ? principal.id : undefined;
  const initialClinicianId = chosen ?? own ?? clinicians[0]?.id ?? null;

  return (
    <section>
      <div className="page-head">
        <h1>
          {t.schedule.title} · {clinicName}
        </h1>
        <Link className="button secondary" href="/staff">
          {t.schedule.back}
        </Link>
      </div>
      <ScreenMessages screen="schedule">
        <ScheduleBoard
          timeZone={timeZone}
          today={today}
          clinicians={clinicians}
          initialClinicianId={initialClinicianId}
          initialView={search.view === 'day' ? 'day' : 'week'}
          initialDate={date}
        />
      </ScreenMessages>
    </section>
  );
}
