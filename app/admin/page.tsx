import Link from 'next/link';
import { AdminGate } from '@/components/admin/admin-gate';
import { getMessages } from '@/server/i18n/locale';
import { QueueSettings } from '@/components/admin/queue-settings';
import { IvrMenuEditor } from '@/components/admin/ivr-menu-editor';
import { WaitingMedia } from '@/components/admin/waiting-media';
import { PhoneLine } from '@/components/admin/phone-line';
import { Wallboard } from '@/components/admin/wallboard';
import { ScreenMessages } from '@/components/providers/screen-messages';

export const dynamic = 'force-dynamic';

export default async function AdminPage() {
  const { t } = await getMessages();

  return (
    <AdminGate>
      <section className="admin">
        <div className="page-head">
          <h1>{t.staffHome.admin}</h1>
          <div className="offer-actions">
            <Link className="button secondary" href="/admin/messages">
              {t.messages.title}
            </Link>
            <Link className="button secondary" href="/admin/failed-writes">
              {t.failedWrites.link}
            </Link>
            <Link className="button secondary" href="/staff">
              {t.consult.back}
            </Link>
          </div>
        </div>
        <ScreenMessages screen="admin">
          <Wallboard />
          <QueueSettings />
          <IvrMenuEditor />
          <WaitingMedia />
          <PhoneLine />
        </ScreenMessages>
      </section>
    </AdminGate>
  );
}
