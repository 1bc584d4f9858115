import { env } from '@/server/env';
import { createLivekitGateway, type LivekitGateway } from './livekit-gateway';

let gateway: LivekitGateway | undefined;

export function livekit(): LivekitGateway {
  const e = env();
  gateway ??= createLivekitGateway({
    url: e.LIVEKIT_URL,
    apiKey: e.LIVEKIT_API_KEY,
    apiSecret: e.LIVEKIT_API_SECRET,
    tokenTtlSeconds: e.LIVEKIT_TOKEN_TTL_SECONDS,
  });
  return gateway;
}
