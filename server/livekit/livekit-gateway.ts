import { AccessToken, RoomServiceClient, TrackSource, WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import { DomainError, unavailable } from '@/server/errors';

/** ParticipantInfo.Kind.AGENT in LiveKit's protocol. */
const AGENT_KIND = 4;

export type LivekitConfig = { url: string; apiKey: string; apiSecret: string; tokenTtlSeconds: number };

export type JoinGrant = {
  room: string;
  identity: string;
  name: string;
  /** JSON the other participants can read, e.g. the role shown on the tile. */
  metadata?: string;
  canPublish: boolean;
  /** Screen sharing is for clinicians; patients and guests publish camera and microphone only. */
  canShareScreen: boolean;
};

export type LivekitGateway = ReturnType<typeof createLivekitGateway>;

/** What the person is told when LiveKit fails: plain words and a reason, never its address or its own error text. */
export const MEDIA_UNAVAILABLE_MESSAGE = 'The video service is not reachable right now. Please try again in a moment.';

/** Everything Revisit asks of LiveKit goes through here. */
export function createLivekitGateway(config: LivekitConfig) {
  const httpUrl = config.url.replace(/^ws/, 'http');
  const rooms = new RoomServiceClient(httpUrl, config.apiKey, config.apiSecret);
  const webhooks = new WebhookReceiver(config.apiKey, config.apiSecret);

  /** The refusal for the client; what went wrong (the call, the address, LiveKit's words) is its cause, for the log. */
  function unreachable(call: string, error: unknown) {
    const refusal = unavailable(MEDIA_UNAVAILABLE_MESSAGE, 'mediaUnavailable');
    refusal.cause = new Error(`LiveKit ${call} at ${httpUrl} failed: ${(error as Error).message}`, { cause: error });
    return refusal;
  }

  return {
    serverUrl: config.url,

    /** Short-lived, for one room, with only the grants a participant needs. */
    async issueJoinToken(grant: JoinGrant): Promise<string> {
      const token = new AccessToken(config.apiKey, config.apiSecret, {
        identity: grant.identity,
        name: grant.name,
        metadata: grant.metadata,
        ttl: config.tokenTtlSeconds,
      });
      token.addGrant({
        room: grant.room,
        roomJoin: true,
        canSubscribe: true,
        canPublish: grant.canPublish,
        canPublishData: true,
        canPublishSources: !grant.canPublish
          ? []
          : grant.canShareScreen
            ? [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]
            : [TrackSource.CAMERA, TrackSource.MICROPHONE],
        canUpdateOwnMetadata: false,
      });
      return token.toJwt();
    },

    /**
     * A media agent's token: LiveKit's agent kind, so clients and the participant list can tell it from a person,
     * and it may publish what the agents render (camera for frames, microphone for speech).
     */
    async issueAgentToken(room: string, identity: string, name: string): Promise<string> {
      const token = new AccessToken(config.apiKey, config.apiSecret, { identity, name, ttl: config.tokenTtlSeconds });
      token.kind = 'agent';
      token.addGrant({
        room,
        roomJoin: true,
        agent: true,
        canSubscribe: true,
        canPublish: true,
        canPublishData: true,
        canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
        canUpdateOwnMetadata: true,
      });
      return token.toJwt();
    },

    /** Lets a connected participant publish camera and microphone (a patient, once a clinician accepted); false when they are not there. */
    async allowPublishing(room: string, identity: string): Promise<boolean> {
      try {
        await rooms.updateParticipant(room, identity, {
          permission: { canSubscribe: true, canPublish: true, canPublishData: true, canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE] },
        });
        return true;
      } catch (error) {
        if (/not found|404|does not exist/i.test((error as Error).message)) return false;
        throw unreachable('updateParticipant', error);
      }
    },

    /** Creates the room ahead of the first join so its limits apply from the start. */
    async ensureRoom(name: string, options: { maxParticipants: number; emptyTimeoutSeconds: number }) {
      try {
        await rooms.createRoom({ name, maxParticipants: options.maxParticipants, emptyTimeout: options.emptyTimeoutSeconds });
      } catch (error) {
        throw unreachable('createRoom', error);
      }
    },

    /** The people in the room: media agents (LiveKit's agent kind) are never listed or counted as participants. */
    async listParticipants(room: string) {
      try {
        return (await rooms.listParticipants(room)).filter((participant) => participant.kind !== AGENT_KIND);
      } catch (error) {
        throw unreachable('listParticipants', error);
      }
    },

    /** Disconnects one participant; one who already left is fine (returns false). */
    async removeParticipant(room: string, identity: string): Promise<boolean> {
      try {
        await rooms.removeParticipant(room, identity);
        return true;
      } catch (error) {
        if (/not found|404|does not exist/i.test((error as Error).message)) return false;
        throw unreachable('removeParticipant', error);
      }
    },

    /** Mutes a participant's published microphone; they can unmute themselves (LiveKit's rule). */
    async muteMicrophone(room: string, identity: string): Promise<boolean> {
      try {
        const participant = await rooms.getParticipant(room, identity);
        const microphone = participant.tracks.find((track) => track.source === TrackSource.MICROPHONE);
        if (!microphone) return false;
        await rooms.mutePublishedTrack(room, identity, microphone.sid, true);
        return true;
      } catch (error) {
        if (/not found|404|does not exist/i.test((error as Error).message)) return false;
        throw unreachable('muteMicrophone', error);
      }
    },

    /** Replaces a connected participant's metadata (e.g. their role changes); false when they are not there. */
    async updateMetadata(room: string, identity: string, metadata: string): Promise<boolean> {
      try {
        await rooms.updateParticipant(room, identity, { metadata });
        return true;
      } catch (error) {
        if (/not found|404|does not exist/i.test((error as Error).message)) return false;
        throw unreachable('updateParticipant', error);
      }
    },

    /** Disconnects everyone; a room that is already gone is fine. */
    async closeRoom(room: string) {
      try {
        await rooms.deleteRoom(room);
      } catch (error) {
        if (!/not found|404/i.test((error as Error).message)) {
          throw unreachable('deleteRoom', error);
        }
      }
    },

    /** Verifies the JWT in the Authorization header against the raw body (its sha256 claim). */
    async verifyWebhook(rawBody: string, authorization: string | null): Promise<WebhookEvent> {
      if (!authorization) throw new DomainError('UNAUTHORIZED', 'Webhook request is not signed');
      try {
        return await webhooks.receive(rawBody, authorization);
      } catch (error) {
        // Whoever sent it learns only that it was refused; why is the cause.
        const refusal = new DomainError('UNAUTHORIZED', 'Webhook signature rejected');
        refusal.cause = error;
        throw refusal;
      }
    },
  };
}
