import { env } from '@/server/env';
import { handleInboundSms, webhookSettings } from '@/server/notify/sms-webhook-handlers';

export const dynamic = 'force-dynamic';

/** Texts from patients (Twilio's "A message comes in" webhook): STOP and START. */
export async function POST(request: Request) {
  return handleInboundSms(request, webhookSettings(env()));
}
