// The gateway to whoever delivers text messages. The outbox worker only sees this interface.

export type SmsToSend = {
  /** E.164, e.g. +8613800000001. */
  to: string;
  body: string;
  /** Where the provider reports delivery (`/api/sms/status`); providers without callbacks ignore it. */
  statusCallbackUrl?: string;
};

/** A message this sender may have sent earlier: to this number, with a text of this SHA-256 (hex), not before `since`. */
export type SentMessageQuery = { to: string; textSha256: string; since: Date };

export interface SmsProvider {
  /** Stored on the message (`Message.provider`). */
  readonly name: string;
  /** Resolves once the provider has accepted the message; throws SmsSendError otherwise. */
  send(message: SmsToSend): Promise<{ providerMessageId: string }>;
  /**
   * Asks the provider whether it took a message whose send had no clear answer (a timeout, a dead process):
   * its id, or null when the provider has no such message. Throws SmsSendError when it cannot be asked now.
   */
  findSent(query: SentMessageQuery): Promise<{ providerMessageId: string } | null>;
}

export type SmsSendErrorDetails = {
  /** Whether the same message may succeed later (network trouble, timeouts, 5xx, 429) or never will (an invalid or blocked number). */
  retryable: boolean;
  /**
   * The provider may have taken the message although the call failed (no answer in time, the connection
   * lost after the request went out, a 5xx, an acceptance without an id): the outcome is unknown, so the
   * message is not sent again before the provider has been asked for it (`findSent`).
   */
  outcomeUnknown?: boolean;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The provider's own error code (Twilio: 21211 invalid number, 21610 unsubscribed, ...). */
  providerCode?: string;
};

/** A send (or a look-up) that did not go through. */
export class SmsSendError extends Error {
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly status?: number;
  readonly providerCode?: string;

  constructor(message: string, details: SmsSendErrorDetails) {
    super(message);
    this.name = 'SmsSendError';
    this.retryable = details.retryable;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.status = details.status;
    this.providerCode = details.providerCode;
  }
}
