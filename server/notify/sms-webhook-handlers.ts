// HTTP side of the provider's webhooks (`app/api/sms/*` only call these): signature, validation, answer.
import type { Env } from '@/server/env';
import { isValidTwilioSignature } from './twilio-signature';
import { inboundSmsSchema, receiveInboundSms, receiveStatusCallback, statusCallbackSchema } from './sms-webhooks';

export type WebhookSettings = {
  /**
   * The token requests must be signed with; null (the dev provider) accepts unsigned requests. In a
   * production build that is only possible with ALLOW_DEV_SMS_IN_PRODUCTION=1 (parseEnv refuses it otherwise).
   */
  authToken: string | null;
  /** Public address of the app: what the provider signed, whatever host this request arrived on. */
  appUrl: string;
};

export function webhookSettings(settings: Env): WebhookSettings {
  return { authToken: settings.SMS_PROVIDER === 'twilio' ? (settings.TWILIO_AUTH_TOKEN ?? null) : null, appUrl: settings.APP_URL };
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

async function readSignedForm(request: Request, settings: WebhookSettings): Promise<URLSearchParams | null> {
  const params = new URLSearchParams(await request.text());
  if (settings.authToken === null) return params;
  const { pathname, search } = new URL(request.url);
  const signedUrl = `${settings.appUrl.replace(/\/+$/, '')}${pathname}${search}`;
  return isValidTwilioSignature(settings.authToken, signedUrl, params, request.headers.get('x-twilio-signature')) ? params : null;
}

const forbidden = () => Response.json({ error: 'The request signature is not valid.' }, { status: 403 });
const invalid = (error: string) => Response.json({ error }, { status: 400 });

/** POST /api/sms/inbound: a text from a patient. Answers empty TwiML (any reply goes through the outbox). */
export async function handleInboundSms(request: Request, settings: WebhookSettings): Promise<Response> {
  const params = await readSignedForm(request, settings);
  if (!params) return forbidden();
  const parsed = inboundSmsSchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) return invalid(parsed.error.issues.map((issue) => issue.message).join('; '));
  await receiveInboundSms({ from: parsed.data.From, body: parsed.data.Body, messageSid: parsed.data.MessageSid });
  return new Response(EMPTY_TWIML, { headers: { 'content-type': 'text/xml; charset=utf-8' } });
}

/** POST /api/sms/status?m=<our message id>: the provider's delivery report. */
export async function handleStatusCallback(request: Request, settings: WebhookSettings): Promise<Response> {
  const params = await readSignedForm(request, settings);
  if (!params) return forbidden();
  const parsed = statusCallbackSchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) return invalid(parsed.error.issues.map((issue) => issue.message).join('; '));
  const messageId = new URL(request.url).searchParams.get('m') ?? undefined;
  const result = await receiveStatusCallback({
    messageId: messageId && messageId.length <= 64 ? messageId : undefined,
    messageSid: parsed.data.MessageSid,
    messageStatus: parsed.data.MessageStatus,
    errorCode: parsed.data.ErrorCode,
  });
  return Response.json(result);
}
