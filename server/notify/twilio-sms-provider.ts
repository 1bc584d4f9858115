import { SmsSendError, type SmsProvider, type SmsToSend } from './sms-provider';

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  /** The sender number, E.164. */
  from: string;
  /** https://api.twilio.com, or any server speaking the same REST API (tests use a local one). */
  baseUrl: string;
  timeoutMs: number;
};

/**
 * HTTP statuses worth trying again. 401/403 are included on purpose: a wrong or rotated auth token is
 * an operator's mistake, not the recipient's, and should not turn every queued message undeliverable.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403;
}

type TwilioError = { code?: number | string; message?: string };

/** Sends through Twilio's Messages resource (or a compatible API): form-encoded POST, HTTP Basic auth. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';

  constructor(private readonly config: TwilioConfig) {}

  async send(message: SmsToSend): Promise<{ providerMessageId: string }> {
    const { accountSid, authToken, from, baseUrl, timeoutMs } = this.config;
    const url = `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    const form = new URLSearchParams({ To: message.to, From: from, Body: message.body });
    if (message.statusCallbackUrl) form.set('StatusCallback', message.statusCallbackUrl);

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      const what = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      throw new SmsSendError(`Twilio request failed: ${what}`, true);
    }

    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }

    if (!response.ok) {
      const error = (payload ?? {}) as TwilioError;
      const code = error.code === undefined ? undefined : String(error.code);
      const detail = [code, error.message].filter(Boolean).join(' ');
      throw new SmsSendError(`Twilio answered ${response.status}${detail ? `: ${detail}` : ''}`, isRetryableStatus(response.status), response.status, code);
    }
    const sid = (payload as { sid?: unknown } | null)?.sid;
    if (typeof sid !== 'string' || sid.length === 0) {
      // Accepted (2xx) but no id: sending again could duplicate it, so this is not retried.
      throw new SmsSendError(`Twilio answered ${response.status} without a message sid`, false, response.status);
    }
    return { providerMessageId: sid };
  }
}
