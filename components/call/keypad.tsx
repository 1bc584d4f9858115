'use client';

import { useEffect } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { format } from '@/server/shared/i18n/format';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** A phone keypad: large buttons, and the digits of the keyboard too (not while typing in a field). */
export function Keypad({ onPress, disabled }: { onPress: (digit: string) => void; disabled: boolean }) {
  const { t } = useI18n('call');
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (disabled || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if ((KEYS as readonly string[]).includes(event.key)) {
        event.preventDefault();
        onPress(event.key);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onPress, disabled]);

  const label = (key: string) => (key === '*' ? t.call.keyStar : key === '#' ? t.call.keyHash : format(t.call.key, { digit: key }));
  return (
    <div className="keypad" role="group" aria-label={t.call.keypad}>
      {KEYS.map((key) => (
        <button key={key} type="button" className="keypad-key" aria-label={label(key)} disabled={disabled} onClick={() => onPress(key)}>
          {key}
        </button>
      ))}
    </div>
  );
}
