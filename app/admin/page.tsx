import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';
import { QueueSettings } from '@/components/admin/queue-settings';
import { Wallboard } from '@/components/admin/wallboard';

export const dynamic = 'force-dynamic';

export default async function AdminPage() {
  const principal = await currentPrincipal();
  if (!principal) redirect('/signin');
  const { t } = await getMessages();

  if (principal.kind !== 'staff' || principal.role !== 'ADMIN') {
    return (
      <section className="card">
        <p role="alert" className="alert">
          {t.errors.forbidden}
        </p>
        {principal.kind === 'staff' && <Link href="/staff">{t.consult.back}</Link>}
      </section>
    );
  }

  return (
    <section className="admin">
      <div className="page-head">
        <h1>{t.staffHome.admin}</h1>
        <div className="offer-actions">
          <Link className="button secondary" href="/admin/messages">
            {t.messages.title}
          </Link>
          <Link className="button secondary" href="/staff">
            {t.consult.back}
          </Link>
        </div>
      </div>
      <Wallboard />
      <QueueSettings />
    </section>
  );
}
