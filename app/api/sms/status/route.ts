import { env } from '@/server/env';
import { handleStatusCallback, webhookSettings } from '@/server/notify/sms-webhook-handlers';

export const dynamic = 'force-dynamic';

/** Delivery reports for the messages we sent (Twilio's StatusCallback). */
export async function POST(request: Request) {
  return handleStatusCallback(request, webhookSettings(env()));
}
