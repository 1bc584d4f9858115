'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { AppLocale } from '@/server/i18n/locales';
import type { Messages } from '@/server/i18n/messages';

const I18nContext = createContext<{ locale: AppLocale; t: Messages } | null>(null);

export function I18nProvider({ locale, messages, children }: { locale: AppLocale; messages: Messages; children: ReactNode }) {
  return <I18nContext.Provider value={{ locale, t: messages }}>{children}</I18nContext.Provider>;
}

export function useI18n() {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside I18nProvider');
  return value;
}
