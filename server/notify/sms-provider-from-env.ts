import { isDevSmsInProduction, type Env } from '@/server/env';
import { DevSmsProvider } from './dev-sms-provider';
import type { SmsProvider } from './sms-provider';
import { TwilioSmsProvider } from './twilio-sms-provider';

/**
 * The provider the configuration asks for (parseEnv has already checked that twilio has its three settings,
 * and that a production build uses dev only with ALLOW_DEV_SMS_IN_PRODUCTION=1).
 */
export function smsProviderFromEnv(settings: Env): SmsProvider {
  if (settings.SMS_PROVIDER === 'dev') {
    if (isDevSmsInProduction(settings)) {
      console.warn(
        '[sms] SMS_PROVIDER=dev in a production build (ALLOW_DEV_SMS_IN_PRODUCTION=1): texts, with working links and codes, go to this log and the SMS webhooks accept unsigned requests. For demos and test stacks only.',
      );
    }
    return new DevSmsProvider();
  }
  return new TwilioSmsProvider({
    accountSid: settings.TWILIO_ACCOUNT_SID!,
    authToken: settings.TWILIO_AUTH_TOKEN!,
    from: settings.TWILIO_FROM_NUMBER!,
    baseUrl: settings.TWILIO_BASE_URL,
    timeoutMs: settings.SMS_SEND_TIMEOUT_MS,
  });
}

/** Where the provider reports delivery of one message; null when the provider has no callbacks. */
export function statusCallbackUrl(settings: Env, messageId: string): string | undefined {
  if (settings.SMS_PROVIDER === 'dev') return undefined;
  return `${settings.APP_URL.replace(/\/+$/, '')}/api/sms/status?m=${encodeURIComponent(messageId)}`;
}
