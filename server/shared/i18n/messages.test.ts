import { describe, expect, it } from 'vitest';
import { dictionaries, namespaceNames, pickMessages } from './dictionaries';
import { errorMessage } from './error-message';
import { format } from './format';
import { localeFromAcceptLanguage } from './locales';

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

  it('picks only the namespaces asked for', () => {
    const picked = pickMessages('en', ['common', 'waiting']);
    expect(Object.keys(picked).sort()).toEqual(['common', 'waiting']);
    expect(picked.waiting).toBe(dictionaries.en.waiting);
    expect(namespaceNames).toHaveLength(Object.keys(dictionaries.en).length);
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

describe('errorMessage', () => {
  const t = dictionaries.en;
  const refused = (reason: string | null, code = 'CONFLICT') => ({ message: 'English fallback', data: { reason, code } });

  it('says a tRPC refusal in the reason’s words, in the reader’s language', () => {
    expect(errorMessage(refused('noQueue', 'NOT_FOUND'), t)).toBe(t.errors.noQueue);
    expect(errorMessage(refused('noQueue', 'NOT_FOUND'), dictionaries['zh-CN'])).toBe(dictionaries['zh-CN'].errors.noQueue);
  });

  it('reads a DomainError caught on the server the same way', () => {
    expect(errorMessage({ reason: 'revoked', code: 'CONFLICT' }, t)).toBe(t.errors.revoked);
    expect(errorMessage({ code: 'NOT_FOUND' }, t, { codes: { NOT_FOUND: t.errors.notFound } })).toBe(t.errors.notFound);
  });

  it('lets a screen use its own words for a reason, and fills placeholders', () => {
    const words = { reasons: { overlap: 'taken' }, values: { start: '08:00', end: '18:00' } };
    expect(errorMessage(refused('overlap'), t, words)).toBe('taken');
    expect(errorMessage(refused('outsideHours', 'BAD_REQUEST'), t, words)).toBe('Visits take place Monday to Saturday, 08:00–18:00, and must end by 18:00.');
  });

  it('falls back by code without a reason, else to "something went wrong"', () => {
    expect(errorMessage(refused(null, 'FORBIDDEN'), t, { codes: { FORBIDDEN: t.errors.forbidden } })).toBe(t.errors.forbidden);
    expect(errorMessage(refused(null, 'FORBIDDEN'), t)).toBe(t.common.somethingWrong);
    // A reason this client does not know (a newer server), a network failure, nothing at all.
    expect(errorMessage(refused('somethingNew', 'CONFLICT'), t)).toBe(t.common.somethingWrong);
    expect(errorMessage(refused('toString', 'CONFLICT'), t)).toBe(t.common.somethingWrong);
    expect(errorMessage(Object.assign(new TypeError('Failed to fetch'), { data: undefined }), t)).toBe(t.common.somethingWrong);
    expect(errorMessage(null, t)).toBe(t.common.somethingWrong);
  });
});
