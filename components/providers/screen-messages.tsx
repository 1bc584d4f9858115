import type { ReactNode } from 'react';
import { getScreenMessages } from '@/server/i18n/locale';
import type { Screen } from '@/server/i18n/screens';
import { I18nProvider } from './i18n-provider';

/** A page's client components get their screen's strings, and no other screen's. */
export async function ScreenMessages({ screen, children }: { screen: Screen; children: ReactNode }) {
  const { locale, messages } = await getScreenMessages(screen);
  return (
    <I18nProvider locale={locale} messages={messages}>
      {children}
    </I18nProvider>
  );
}
