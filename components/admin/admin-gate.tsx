import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';

/** Admin pages: signed-out visitors go to sign in, other roles get a clear refusal. */
export async function AdminGate({ children }: { children: ReactNode }) {
  const principal = await currentPrincipal();
  if (!principal) redirect('/signin');
  if (principal.kind === 'staff' && principal.role === 'ADMIN') return children;
  const { t } = await getMessages();
  return (
    <section className="card">
      <p role="alert" className="alert">
        {t.errors.forbidden}
      </p>
      {principal.kind === 'staff' && <Link href="/staff">{t.consult.back}</Link>}
    </section>
  );
}
