import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';
import { VisitSummary } from '@/components/visit/visit-summary';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function VisitSummaryPage() {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'patient') redirect('/');
  const { t } = await getMessages();
  return (
    <section className="card">
      <h1>{t.summary.title}</h1>
      <ScreenMessages screen="visitSummary">
        <VisitSummary />
      </ScreenMessages>
    </section>
  );
}
