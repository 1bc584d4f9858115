import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';
import { getMessages } from '@/server/i18n/locale';
import { StaffSignInForm } from '@/components/auth/staff-sign-in-form';
import { ScreenMessages } from '@/components/providers/screen-messages';

export default async function SignInPage() {
  if ((await currentPrincipal())?.kind === 'staff') redirect('/staff');
  const { t } = await getMessages();
  return (
    <section className="card">
      <h1>{t.staffSignIn.title}</h1>
      <ScreenMessages screen="staffSignIn">
        <StaffSignInForm />
      </ScreenMessages>
    </section>
  );
}
