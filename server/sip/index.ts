import { env } from '@/server/env';
import { createSipGateway, type SipGateway } from './sip-gateway';

let gateway: SipGateway | undefined;

/** The process's SIP gateway (LiveKit SIP on the same LiveKit server), built once like the other gateways. */
export function sip(): SipGateway {
  const e = env();
  gateway ??= createSipGateway({ url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET });
  return gateway;
}
