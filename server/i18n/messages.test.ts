import { describe, expect, it } from 'vitest';
import { dictionaries, format, localeFromAcceptLanguage } from './messages';

function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keyPaths(child, prefix ? `${prefix}.${key}` : key));
}

describe('messages', () => {
  it('has the same keys in Chinese and English, none empty', () => {
    expect(keyPaths(dictionaries['zh-CN']).sort()).toEqual(keyPaths(dictionaries.en).sort());
    for (const locale of ['zh-CN', 'en'] as const) {
      const flat = JSON.stringify(dictionaries[locale]);
      expect(flat).not.toContain('""');
    }
  });

  it('chooses the locale from Accept-Language by quality', () => {
    expect(localeFromAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('zh-TW,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('fr-FR;q=1, en;q=0.5, zh;q=0.7')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('fr-FR')).toBe('zh-CN');
    expect(localeFromAcceptLanguage(undefined)).toBe('zh-CN');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{remaining} attempts left', { remaining: 3 })).toBe('3 attempts left');
    expect(format('hello {who}', {})).toBe('hello {who}');
  });
});
