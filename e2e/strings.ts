// What the app says, read from its dictionaries: a changed wording changes the tests with it, and a
// test cannot pass on a string the app no longer shows.
import { dictionaries, type Messages } from '@/server/shared/i18n/dictionaries';
import { format } from '@/server/shared/i18n/format';

export { format };
export const en = dictionaries.en;
export const zh = dictionaries['zh-CN'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for the exact text or texts, as given. */
export function exactly(...texts: string[]): RegExp {
  return new RegExp(`^(?:${texts.map(escape).join('|')})$`);
}

/** A pattern that finds any of the texts inside a longer one (a row, a heading with a clinic name). */
export function containing(...texts: string[]): RegExp {
  return new RegExp(texts.map(escape).join('|'));
}

/** The exact text in English or Chinese, for steps shared by tests whose pages speak either language. */
export function inEither(pick: (t: Messages) => string | string[]): RegExp {
  return exactly(...[pick(en), pick(zh)].flat());
}

/** A pattern for a text that begins with any of the texts (a button named "Remove Lin Hua"). */
export function startingWith(...texts: string[]): RegExp {
  return new RegExp(`^(?:${texts.map(escape).join('|')})`);
}
