import type { Messages } from '@/server/shared/i18n/dictionaries';
import { errorMessage, type RefusedError } from '@/server/shared/i18n/error-message';

/** The message for a failed action in the room, in the reader's language; null when nothing failed. */
export function multipartyError(error: RefusedError, t: Pick<Messages, 'errors' | 'multiparty' | 'common'>): string | null {
  if (!error) return null;
  return errorMessage(error, t, {
    // In the room a refusal is about this consult, not about a page.
    reasons: { forbidden: t.errors.notAllowed },
    codes: { FORBIDDEN: t.errors.notAllowed, BAD_REQUEST: t.multiparty.invalidNumber },
  });
}
