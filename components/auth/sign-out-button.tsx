import { signOutAction } from '@/app/staff/actions';
import { getMessages } from '@/server/i18n/locale';

export async function SignOutButton() {
  const { t } = await getMessages();
  return (
    <form action={signOutAction}>
      <button className="button secondary" type="submit">
        {t.common.signOut}
      </button>
    </form>
  );
}
