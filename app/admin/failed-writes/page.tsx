import Link from 'next/link';
import { AdminGate } from '@/components/admin/admin-gate';
import { getMessages } from '@/server/i18n/locale';
import { FailedWritesList } from '@/components/admin/failed-writes-list';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function AdminFailedWritesPage() {
  const { t } = await getMessages();

  return (
    <AdminGate>
      <section className="admin">
        <div className="page-head">
          <h1>{t.failedWrites.title}</h1>
          <Link className="button secondary" href="/admin">
            {t.staffHome.admin}
          </Link>
        </div>
        <p className="muted">{t.failedWrites.intro}</p>
        <ScreenMessages screen="failedWrites">
          <FailedWritesList />
        </ScreenMessages>
      </section>
    </AdminGate>
  );
}
