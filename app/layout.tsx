import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import './globals.css';
import { getMessages } from '@/server/i18n/locale';
import { pickMessages } from '@/server/shared/i18n/dictionaries';
import { I18nProvider } from '@/components/providers/i18n-provider';
import { TrpcProvider } from '@/components/providers/trpc-provider';
import { LanguageSwitcher } from '@/components/layout/language-switcher';

export const metadata: Metadata = {
  title: 'Revisit',
  description: 'Video follow-up visits · 视频复诊',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0b6e69' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { locale, t } = await getMessages();
  // Only what every screen shares; each page adds its own screen's strings (ScreenMessages).
  return (
    <html lang={locale}>
      <body>
        <I18nProvider locale={locale} messages={pickMessages(locale, ['common'])}>
          <TrpcProvider>
            <header className="site-header">
              <Link href="/" className="brand">
                {t.common.appName}
              </Link>
              <LanguageSwitcher />
            </header>
            <main id="main">{children}</main>
          </TrpcProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
