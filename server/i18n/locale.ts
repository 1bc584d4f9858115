import 'server-only';
import { cookies, headers } from 'next/headers';
import { dictionaries, pickMessages } from '@/server/shared/i18n/dictionaries';
import { isLocale, localeCookie, localeFromAcceptLanguage, type AppLocale } from '@/server/shared/i18n/locales';
import { screens, type Screen } from './screens';

export async function getLocale(): Promise<AppLocale> {
  const chosen = (await cookies()).get(localeCookie)?.value;
  if (isLocale(chosen)) return chosen;
  return localeFromAcceptLanguage((await headers()).get('accept-language'));
}

/** Every string, for server components: they render on the server, so nothing here reaches the browser. */
export async function getMessages() {
  const locale = await getLocale();
  return { locale, t: dictionaries[locale] };
}

/** Only the namespaces a screen's client components read: what the page hands to the client. */
export async function getScreenMessages(screen: Screen) {
  const locale = await getLocale();
  return { locale, messages: pickMessages(locale, screens[screen]) };
}
