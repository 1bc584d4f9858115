import { SipClient } from 'livekit-server-sdk';
import { unavailable } from '@/server/errors';

export type SipGatewayConfig = { url: string; apiKey: string; apiSecret: string };

/** Dial-out through LiveKit SIP: the phone joins a room as a participant once answered. */
export function createSipGateway(config: SipGatewayConfig) {
  const client = new SipClient(config.url.replace(/^ws/, 'http'), config.apiKey, config.apiSecret);
  return {
    async dialOut(input: { trunkId: string; number: string; room: string; identity: string; name: string; metadata: string }) {
      try {
        const info = await client.createSipParticipant(input.trunkId, input.number, input.room, {
          participantIdentity: input.identity,
          participantName: input.name,
          participantMetadata: input.metadata,
          playDialtone: true,
        });
        return { participantIdentity: info.participantIdentity, sipCallId: info.sipCallId };
      } catch (error) {
        throw unavailable(`The phone call could not be started: ${(error as Error).message}`, 'dialOutFailed');
      }
    },
  };
}

export type SipGateway = ReturnType<typeof createSipGateway>;
