import { createHash } from 'node:crypto';
import { SmsSendError, type SentMessageQuery, type SmsProvider, type SmsToSend } from './sms-provider';

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

/**
 * Whether a message may have been taken although the answer says otherwise or never came. Twilio: "sending
 * an SMS is not idempotent; if you get a 500 and retry, a customer may receive multiple messages".
 */
const mayHaveBeenTaken = (status: number) => status >= 500;

/** Network errors raised before the request could reach the provider: nothing was sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function networkErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code;
}

const neverConnected = (code: string | undefined) => !!code && (NOT_CONNECTED.has(code) || code.startsWith('ERR_TLS_') || code.includes('CERT'));

/** How far Twilio's clock and ours may differ when looking for a message sent since a given time. */
const CLOCK_SKEW_MS = 15 * 60_000;
/** Pages of 50 of the number's recent messages looked through for a message whose send had no answer. */
const LOOKUP_PAGES = 4;

type TwilioError = { code?: number | string; message?: string };
type TwilioMessage = { sid?: unknown; body?: unknown; date_created?: unknown; direction?: unknown };
type TwilioMessagePage = { messages?: TwilioMessage[]; next_page_uri?: unknown };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Sends through Twilio's Messages resource (or a compatible API): form-encoded POST, HTTP Basic auth. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';

  constructor(private readonly config: TwilioConfig) {}

  private get baseUrl() {
    return this.config.baseUrl.replace(/\/+$/, '');
  }

  private get messagesUrl() {
    return `${this.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`;
  }

  /** One call; answers the status and the JSON payload (null when there is none). Network errors become SmsSendError. */
  private async call(url: string, init: { method: 'GET' } | { method: 'POST'; body: URLSearchParams }): Promise<{ response: Response; payload: unknown }> {
    const { accountSid, authToken, timeoutMs } = this.config;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          accept: 'application/json',
          ...(init.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const code = networkErrorCode(error);
      const what = timedOut ? `no answer within ${timeoutMs} ms` : `${(error as Error).message}${code ? ` (${code})` : ''}`;
      // Only a connection that never opened proves the request did not arrive.
      throw new SmsSendError(`Twilio request failed: ${what}`, { retryable: true, outcomeUnknown: timedOut || !neverConnected(code) });
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    return { response, payload };
  }

  async send(message: SmsToSend): Promise<{ providerMessageId: string }> {
    const form = new URLSearchParams({ To: message.to, From: this.config.from, Body: message.body });
    if (message.statusCallbackUrl) form.set('StatusCallback', message.statusCallbackUrl);
    const { response, payload } = await this.call(this.messagesUrl, { method: 'POST', body: form });

    if (!response.ok) {
      const error = (payload ?? {}) as TwilioError;
      const code = error.code === undefined ? undefined : String(error.code);
      const detail = [code, error.message].filter(Boolean).join(' ');
      throw new SmsSendError(`Twilio answered ${response.status}${detail ? `: ${detail}` : ''}`, {
        retryable: isRetryableStatus(response.status),
        outcomeUnknown: mayHaveBeenTaken(response.status),
        status: response.status,
        providerCode: code,
      });
    }
    const sid = (payload as { sid?: unknown } | null)?.sid;
    if (typeof sid !== 'string' || sid.length === 0) {
      // Accepted (2xx) but no id (or the answer was cut off): it went out, so it is looked up rather than sent again.
      throw new SmsSendError(`Twilio answered ${response.status} without a message sid`, { retryable: true, outcomeUnknown: true, status: response.status });
    }
    return { providerMessageId: sid };
  }

  /**
   * Twilio's Messages API has no idempotency key, so a message is found by what identifies it: our sender, the
   * recipient and the exact text (each visit text carries its own link token), created since the attempt began.
   * The number's messages are listed newest first.
   */
  async findSent(query: SentMessageQuery): Promise<{ providerMessageId: string } | null> {
    const earliest = query.since.getTime() - CLOCK_SKEW_MS;
    const createdAt = (m: TwilioMessage) => {
      const time = typeof m.date_created === 'string' ? Date.parse(m.date_created) : Number.NaN;
      return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
    };
    let url: string | null = `${this.messagesUrl}?${new URLSearchParams({ To: query.to, From: this.config.from, PageSize: '50' })}`;
    for (let page = 0; url && page < LOOKUP_PAGES; page++) {
      const { response, payload } = await this.call(url, { method: 'GET' });
      if (!response.ok || !payload || !Array.isArray((payload as TwilioMessagePage).messages)) {
        const error = (payload ?? {}) as TwilioError;
        const detail = [error.code, error.message].filter(Boolean).join(' ');
        throw new SmsSendError(`Twilio answered ${response.status} to a message look-up${detail ? `: ${detail}` : ''}`, {
          retryable: true,
          status: response.status,
        });
      }
      const { messages = [], next_page_uri: next } = payload as TwilioMessagePage;
      const match = messages.find(
        (m) =>
          typeof m.sid === 'string' &&
          typeof m.body === 'string' &&
          (typeof m.direction !== 'string' || m.direction.startsWith('outbound')) &&
          createdAt(m) >= earliest &&
          sha256(m.body) === query.textSha256,
      );
      if (match) return { providerMessageId: match.sid as string };
      if (messages.length === 0 || messages.every((m) => createdAt(m) < earliest)) return null;
      url = typeof next === 'string' && next.startsWith('/') ? `${this.baseUrl}${next}` : null;
    }
    return null;
  }
}
