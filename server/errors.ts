// Services throw DomainError for every expected failure; only the API layer maps it to HTTP/tRPC.
export type DomainErrorCode = 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'CONFLICT' | 'BAD_REQUEST' | 'UNAVAILABLE';

/**
 * Every stable key the UI can translate. Each one has a message in both languages in the dictionary's
 * `errors` namespace (server/shared/i18n/namespaces/errors.ts), which `tsc` checks is complete.
 * A reason is always written out here, never built at run time.
 */
export type ErrorReason =
  // Who may do what
  | 'forbidden'
  | 'notFound'
  | 'signInRequired'
  | 'notAllowed'
  | 'notYourVisit'
  | 'chartForbidden'
  | 'clinicianOnly'
  // The visit and the way in
  | 'revoked'
  | 'consentRequired'
  | 'consentChanged'
  | 'noQueue'
  | 'notYourTurn'
  // The schedule
  | 'inPast'
  | 'outsideHours'
  | 'overlap'
  | 'notChangeable'
  | 'patientCame'
  | 'patientNotInClinic'
  | 'clinicianNotInClinic'
  | 'notFreeSlot'
  | 'noFreeSlot'
  // Routing: presence, offers, tasks
  | 'retry'
  | 'busy'
  | 'alreadyInProgress'
  | 'notInProgress'
  | 'offerACCEPTED'
  | 'offerDECLINED'
  | 'offerTIMED_OUT'
  | 'offerRESCINDED'
  | 'overflowCycle'
  // The consult and its participants
  | 'notPresent'
  | 'consultFull'
  | 'guestRemoved'
  | 'inviteExpired'
  | 'consultNotStarted'
  | 'alreadyRevoked'
  | 'noSpecialistQueue'
  | 'alreadyRequested'
  | 'alreadyAccepted'
  | 'dialOutDisabled'
  | 'dialOutFailed'
  | 'dialOutLimit'
  | 'inviteLimit'
  | 'mediaUnavailable'
  // Clinical data and the FHIR server
  | 'notShared'
  | 'vitalsInFuture'
  | 'vitalsTooOld'
  | 'noChart'
  | 'fhirInvalid'
  | 'fhirNotFound'
  | 'fhirConflict'
  | 'fhirUnauthorized'
  | 'fhirUnavailable'
  | 'fhirNotConfigured'
  | 'writeNotFailed'
  // The call menu (IVR)
  | 'invalidMenu'
  // Waiting-room media
  | 'clipNotAVideo'
  | 'clipNoVideoTrack'
  | 'clipTooLong'
  | 'clipTooLarge'
  | 'clipUnsupported'
  | 'clipTranscodeFailed'
  | 'clipTitleInvalid'
  | 'clipNotFound'
  | 'invalidPlaylist'
  // Phone lines
  | 'phonePasswordMissing'
  | 'notPhoneCall'
  | 'onPhoneCall';

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    message: string,
    /** A stable key the UI can translate; the message is the English fallback. */
    public readonly reason?: ErrorReason,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string, reason?: ErrorReason) => new DomainError('NOT_FOUND', message, reason);
export const forbidden = (message: string, reason?: ErrorReason) => new DomainError('FORBIDDEN', message, reason);
export const conflict = (message: string, reason?: ErrorReason) => new DomainError('CONFLICT', message, reason);
export const unavailable = (message: string, reason?: ErrorReason) => new DomainError('UNAVAILABLE', message, reason);
export const invalid = (message: string, reason?: ErrorReason) => new DomainError('BAD_REQUEST', message, reason);
