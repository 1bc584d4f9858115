import { SipClient } from 'livekit-server-sdk';
import { unavailable } from '@/server/errors';

/** What the person is told when the call cannot be started. */
export const DIAL_OUT_FAILED_MESSAGE = 'The call could not be started. Check the number and try again.';

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
        // The person is told in plain words; LiveKit's SIP error (which may name the number) is the cause, for the log.
        const refusal = unavailable(DIAL_OUT_FAILED_MESSAGE, 'dialOutFailed');
        refusal.cause = new Error(`LiveKit SIP createSipParticipant on trunk ${input.trunkId} failed: ${(error as Error).message}`, { cause: error });
        throw refusal;
      }
    },
  };
}

export type SipGateway = ReturnType<typeof createSipGateway>;
