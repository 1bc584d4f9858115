import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';
import { MessagesList } from '@/components/admin/messages-list';

export const dynamic = 'force-dynamic';

export default async function AdminMessagesPage() {
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
        <h1>{t.messages.title}</h1>
        <Link className="button secondary" href="/admin">
          {t.staffHome.admin}
        </Link>
      </div>
      <p className="muted">{t.messages.intro}</p>
      <MessagesList />
    </section>
  );
}
