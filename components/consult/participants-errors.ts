import type { Messages } from '@/server/i18n/messages';

type Failure = { message: string; data?: { reason?: string | null; code?: string } | null } | null | undefined;

/** The message for a failed action in the room, in the reader's language. */
export function multipartyError(error: Failure, t: Messages): string | null {
  if (!error) return null;
  const reason = error.data?.reason;
  const m = t.multiparty;
  switch (reason) {
    case 'notAllowed':
      return m.notAllowed;
    case 'notPresent':
      return m.notPresent;
    case 'alreadyRequested':
      return m.alreadyRequested;
    case 'noSpecialistQueue':
      return m.noSpecialistQueue;
    case 'notInProgress':
      return m.notInProgress;
    case 'alreadyAccepted':
      return m.alreadyAccepted;
    case 'alreadyInProgress':
      return m.alreadyInProgress;
    case 'dialOutDisabled':
      return m.dialOutDisabled;
    case 'dialOutFailed':
      return m.dialOutFailed;
    case 'mediaUnavailable':
      return t.consult.mediaUnavailable;
    default:
      return error.data?.code === 'FORBIDDEN' ? m.notAllowed : error.data?.code === 'BAD_REQUEST' ? m.invalidNumber : t.common.somethingWrong;
  }
}
