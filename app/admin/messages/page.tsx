import Link from 'next/link';
import { AdminGate } from '@/components/admin/admin-gate';
import { getMessages } from '@/server/i18n/locale';
import { MessagesList } from '@/components/admin/messages-list';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function AdminMessagesPage() {
  const { t } = await getMessages();

  return (
    <AdminGate>
      <section className="admin">
        <div className="page-head">
          <h1>{t.messages.title}</h1>
          <Link className="button secondary" href="/admin">
            {t.staffHome.admin}
          </Link>
        </div>
        <p className="muted">{t.messages.intro}</p>
        <ScreenMessages screen="messageLog">
          <MessagesList />
        </ScreenMessages>
      </section>
    </AdminGate>
  );
}
