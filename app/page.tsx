import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';

export default async function HomePage() {
  const principal = await currentPrincipal();
  if (principal?.kind === 'staff') redirect('/staff');
  if (principal?.kind === 'patient') redirect('/visit');
  const { t } = await getMessages();
  return (
    <section className="card">
      <h1>{t.common.appName}</h1>
      <p>{t.common.tagline}</p>
      <p className="muted">{t.home.patientHint}</p>
      <Link className="button" href="/signin">
        {t.home.staffEntry}
      </Link>
    </section>
  );
}
