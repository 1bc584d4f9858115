'use client';

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Messages, Namespace } from '@/server/shared/i18n/dictionaries';
import type { AppLocale } from '@/server/shared/i18n/locales';

type Strings = { locale: AppLocale; t: Partial<Messages> };

const I18nContext = createContext<Strings | null>(null);

/**
 * Hands strings to the client components below. The root layout gives every screen `common`; a page
 * adds its own screen's namespaces (components/providers/screen-messages.tsx), so a patient's phone
 * never downloads the admin screens' text.
 */
export function I18nProvider({ locale, messages, children }: { locale: AppLocale; messages: Partial<Messages>; children: ReactNode }) {
  const outer = useContext(I18nContext);
  const value = useMemo(() => ({ locale, t: { ...outer?.t, ...messages } }), [locale, outer, messages]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/**
 * The strings of the namespaces a component names (and `common`, which every screen has). Reading any
 * other namespace does not compile; a screen that does not provide a named one fails loudly here.
 */
export function useI18n<N extends Namespace = never>(...names: N[]): { locale: AppLocale; t: Pick<Messages, N | 'common'> } {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside I18nProvider');
  for (const name of names) {
    if (!value.t[name]) throw new Error(`This screen does not provide the "${name}" strings; add them to its entry in server/i18n/screens.ts`);
  }
  return value as { locale: AppLocale; t: Pick<Messages, N | 'common'> };
}
