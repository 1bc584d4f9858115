import type { Messages } from '@/server/i18n/messages';

// Shared by the server page and the client room, so not a client module.
/** Messages for the multi-party reasons a consult can refuse someone; null for any other reason. */
export function multipartyRefusal(reason: string | null | undefined, t: Messages): string | null {
  switch (reason) {
    case 'guestRemoved':
      return t.guest.removed;
    case 'inviteExpired':
      return t.guest.expired;
    case 'consultNotStarted':
      return t.guest.notStarted;
    case 'consultFull':
      return t.multiparty.full;
    default:
      return null;
  }
}
