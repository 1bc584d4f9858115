import 'server-only';
import { cookies, headers } from 'next/headers';
import { dictionaries, isLocale, localeCookie, localeFromAcceptLanguage, type AppLocale } from './messages';

export async function getLocale(): Promise<AppLocale> {
  const chosen = (await cookies()).get(localeCookie)?.value;
  if (isLocale(chosen)) return chosen;
  return localeFromAcceptLanguage((await headers()).get('accept-language'));
}

export async function getMessages() {
  const locale = await getLocale();
  return { locale, t: dictionaries[locale] };
}
