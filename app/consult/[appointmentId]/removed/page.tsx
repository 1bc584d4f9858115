import { getMessages } from '@/server/i18n/locale';

export const dynamic = 'force-dynamic';

/** Where a participant removed by a clinician lands; the same link will not let them back in. */
export default async function RemovedFromConsultPage() {
  const { t } = await getMessages();
  return (
    <section className="card">
      <p role="alert" className="alert">
        {t.guest.removed}
      </p>
    </section>
  );
}
