// The gateway to whoever delivers text messages. The outbox worker only sees this interface.

export type SmsToSend = {
  /** E.164, e.g. +8613800000001. */
  to: string;
  body: string;
  /** Where the provider reports delivery (`/api/sms/status`); providers without callbacks ignore it. */
  statusCallbackUrl?: string;
};

export interface SmsProvider {
  /** Stored on the message (`Message.provider`). */
  readonly name: string;
  /** Resolves once the provider has accepted the message; throws SmsSendError otherwise. */
  send(message: SmsToSend): Promise<{ providerMessageId: string }>;
}

/**
 * A send that did not go through. `retryable` says whether the same message may succeed later
 * (network trouble, timeouts, 5xx, 429) or never will (an invalid or blocked number).
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    public readonly retryable: boolean,
    /** HTTP status, when there was a response. */
    public readonly status?: number,
    /** The provider's own error code (Twilio: 21211 invalid number, 21610 unsubscribed, ...). */
    public readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}
