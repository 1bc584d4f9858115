'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { localeCookie, localeNames, type AppLocale } from '@/server/shared/i18n/locales';
import { useI18n } from '@/components/providers/i18n-provider';

export function LanguageSwitcher() {
  const { locale, t } = useI18n();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function choose(next: AppLocale) {
    document.cookie = `${localeCookie}=${next}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax`;
    startTransition(() => router.refresh());
  }

  return (
    <div className="language-switcher" role="group" aria-label={t.common.language}>
      {(Object.keys(localeNames) as AppLocale[]).map((option) => (
        <button key={option} type="button" lang={option} aria-pressed={option === locale} disabled={pending} onClick={() => choose(option)}>
          {localeNames[option]}
        </button>
      ))}
    </div>
  );
}
