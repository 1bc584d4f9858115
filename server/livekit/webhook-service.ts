import type { WebhookEvent } from 'livekit-server-sdk';
import type { Prisma } from '@/server/db/generated/client';
import { db } from '@/server/db';
import { DomainError } from '@/server/errors';
import type { LivekitGateway } from './livekit-gateway';
import { recordParticipantEvent } from '@/server/consult/participant-records';
import { refuseRevokedParticipant } from '@/server/consult/participant-service';
import { appointmentIdOfRoom } from '@/server/consult/consult-service';
import { receivePhoneCallEvent } from '@/server/sip/inbound-call';

/** Older than this and a correctly signed event is treated as a replay. */
export const WEBHOOK_MAX_AGE_SECONDS = 10 * 60;

export type WebhookIntake = { stored: boolean; eventId: string; event: string };

export async function receiveLivekitWebhook(
  gateway: Pick<LivekitGateway, 'verifyWebhook' | 'removeParticipant' | 'listParticipants'>,
  rawBody: string,
  authorization: string | null,
  now = new Date(),
): Promise<WebhookIntake> {
  const event: WebhookEvent = await gateway.verifyWebhook(rawBody, authorization);
  const createdAt = new Date(Number(event.createdAt) * 1000);
  if (!event.id) throw new DomainError('BAD_REQUEST', 'Webhook event has no id');
  if (now.getTime() - createdAt.getTime() > WEBHOOK_MAX_AGE_SECONDS * 1000) {
    throw new DomainError('UNAUTHORIZED', `Webhook event ${event.id} is stale (created ${createdAt.toISOString()})`);
  }
  const { count } = await db.livekitWebhookEvent.createMany({
    data: [
      {
        id: event.id,
        event: event.event,
        roomName: event.room?.name ?? null,
        participant: event.participant?.identity ?? null,
        createdAt,
        payload: JSON.parse(rawBody) as Prisma.InputJsonValue,
      },
    ],
    skipDuplicates: true,
  });
  // A join by someone the portal has revoked (a removed guest with the token they kept) is put out at once.
  if ((await recordParticipantEvent(event)) === 'joined') {
    const appointmentId = await appointmentIdOfRoom(event.room?.name);
    if (appointmentId && event.participant?.identity) await refuseRevokedParticipant(gateway, { appointmentId, identity: event.participant.identity });
  }
  // A phone caller joining opens their call (once: a delivery again finds it open); hanging up ends it.
  await receivePhoneCallEvent(event, gateway, now);
  return { stored: count === 1, eventId: event.id, event: event.event };
}
