import { SipClient } from 'livekit-server-sdk';
import { unavailable } from '@/server/errors';

/** What the person is told when the call cannot be started. */
export const DIAL_OUT_FAILED_MESSAGE = 'The call could not be started. Check the number and try again.';

type OutboundTrunkOptions = NonNullable<Parameters<SipClient['createSipOutboundTrunk']>[3]>;
/** SIPTransport.SIP_TRANSPORT_AUTO in LiveKit's protocol: UDP or TCP, as the carrier answers. */
const SIP_TRANSPORT_AUTO = 0 as OutboundTrunkOptions['transport'];

export type SipGatewayConfig = { url: string; apiKey: string; apiSecret: string };

/** What Revisit provisions in LiveKit SIP, found again by name; `metadata` carries a fingerprint of the settings. */
export type ProvisionedSip = { id: string; name: string; metadata: string };

export type InboundTrunkSpec = { name: string; metadata: string; numbers: string[]; allowedAddresses: string[]; authUsername?: string; authPassword?: string };
export type OutboundTrunkSpec = { name: string; metadata: string; address: string; numbers: string[]; authUsername?: string; authPassword?: string };
export type DispatchRuleSpec = { name: string; metadata: string; trunkId: string; roomPrefix: string };

/** LiveKit SIP: trunks and dispatch rules for the clinics' lines, and dial-out (the phone joins a room once answered). */
export function createSipGateway(config: SipGatewayConfig) {
  const client = new SipClient(config.url.replace(/^ws/, 'http'), config.apiKey, config.apiSecret);
  return {
    async listInboundTrunks(): Promise<ProvisionedSip[]> {
      return (await client.listSipInboundTrunk()).map((t) => ({ id: t.sipTrunkId, name: t.name, metadata: t.metadata }));
    },
    async listOutboundTrunks(): Promise<ProvisionedSip[]> {
      return (await client.listSipOutboundTrunk()).map((t) => ({ id: t.sipTrunkId, name: t.name, metadata: t.metadata }));
    },
    async listDispatchRules(): Promise<ProvisionedSip[]> {
      return (await client.listSipDispatchRule()).map((r) => ({ id: r.sipDispatchRuleId, name: r.name, metadata: r.metadata }));
    },
    async createInboundTrunk(spec: InboundTrunkSpec): Promise<string> {
      const trunk = await client.createSipInboundTrunk(spec.name, spec.numbers, {
        metadata: spec.metadata,
        allowedAddresses: spec.allowedAddresses,
        ...(spec.authUsername ? { authUsername: spec.authUsername, authPassword: spec.authPassword } : {}),
      });
      return trunk.sipTrunkId;
    },
    async createOutboundTrunk(spec: OutboundTrunkSpec): Promise<string> {
      const trunk = await client.createSipOutboundTrunk(spec.name, spec.address, spec.numbers, {
        metadata: spec.metadata,
        transport: SIP_TRANSPORT_AUTO,
        ...(spec.authUsername ? { authUsername: spec.authUsername, authPassword: spec.authPassword } : {}),
      });
      return trunk.sipTrunkId;
    },
    async createDispatchRule(spec: DispatchRuleSpec): Promise<string> {
      const rule = await client.createSipDispatchRule(
        { type: 'individual', roomPrefix: spec.roomPrefix },
        { name: spec.name, metadata: spec.metadata, trunkIds: [spec.trunkId] },
      );
      return rule.sipDispatchRuleId;
    },
    async deleteTrunk(id: string) {
      await client.deleteSipTrunk(id);
    },
    async deleteDispatchRule(id: string) {
      await client.deleteSipDispatchRule(id);
    },
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
