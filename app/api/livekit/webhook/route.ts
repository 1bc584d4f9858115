import { livekit } from '@/server/livekit';
import { receiveLivekitWebhook } from '@/server/livekit/webhook-service';
import { DomainError } from '@/server/errors';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  // The signature covers the exact bytes, so the body is read raw and never re-serialised.
  const rawBody = await request.text();
  try {
    const intake = await receiveLivekitWebhook(livekit(), rawBody, request.headers.get('authorization'));
    return Response.json(intake, { status: intake.stored ? 201 : 200 });
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'UNAUTHORIZED' || error.code === 'BAD_REQUEST')) {
      return Response.json({ error: error.message }, { status: error.code === 'UNAUTHORIZED' ? 401 : 400 });
    }
    console.error('[livekit webhook]', error);
    return Response.json({ error: 'Webhook could not be stored; LiveKit will retry.' }, { status: 503 });
  }
}
