// The real LiveKit server (built from its Go module into .tools/bin), on loopback only.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, freePort, startService, waitFor } from './proc.mjs';

export const LIVEKIT_VERSION = 'v1.13.5';
export const LIVEKIT_BIN = path.join(REPO_ROOT, '.tools', 'bin', 'livekit-server');

function configYaml({ port, tcpPort, udpPort, apiKey, apiSecret, webhookUrl, redis }) {
  return [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  tcp_port: ${tcpPort}`,
    `  udp_port: ${udpPort}`,
    '  use_external_ip: false',
    '  node_ip: 127.0.0.1',
    '  enable_loopback_candidate: true',
    '  interfaces:',
    '    includes: ["lo"]',
    // A subscriber who joins a running track (a patient already in the room when the clinician's camera arrives)
    // needs a keyframe: LiveKit passes keyframe requests on at most this often per layer (defaults 0.5 s / 1 s / 1 s).
    '  pli_throttle:',
    '    low_quality: 100ms',
    '    mid_quality: 200ms',
    '    high_quality: 200ms',
    'keys:',
    `  ${apiKey}: ${apiSecret}`,
    // With Redis the server runs in distributed mode, which the SIP bridge needs to reach it.
    ...(redis ? ['redis:', `  address: ${redis.address}`, `  password: ${redis.password}`] : []),
    ...(webhookUrl ? ['webhook:', `  api_key: ${apiKey}`, '  urls:', `    - ${webhookUrl}`] : []),
    'room:',
    '  empty_timeout: 300',
    'logging:',
    '  level: info',
    '',
  ].join('\n');
}

/**
 * @param {{ dir: string, apiKey: string, apiSecret: string, webhookUrl?: string, port?: number, redis?: { address: string, password: string } }} options
 * @returns {Promise<{ url: string, httpUrl: string, pid: number, stop: () => Promise<void>, logFile: string }>}
 */
export async function startLivekit({ dir, apiKey, apiSecret, webhookUrl, port, redis }) {
  if (!existsSync(LIVEKIT_BIN)) {
    throw new Error(`LiveKit server is not installed at ${LIVEKIT_BIN}: run scripts/install-tools.sh`);
  }
  mkdirSync(dir, { recursive: true });
  const ports = { port: port ?? (await freePort()), tcpPort: await freePort(), udpPort: await freePort() };
  const configFile = path.join(dir, 'livekit.yaml');
  writeFileSync(configFile, configYaml({ ...ports, apiKey, apiSecret, webhookUrl, redis }), { mode: 0o600 });
  const service = startService('livekit', LIVEKIT_BIN, ['--config', configFile], { logFile: path.join(dir, 'livekit.log') });
  const httpUrl = `http://127.0.0.1:${ports.port}`;
  try {
    await waitFor(
      async () => {
        if (!service.running) throw new Error(`LiveKit exited at start; see ${service.logFile}`);
        return fetch(httpUrl).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeoutMs: 20_000, what: `LiveKit on ${httpUrl}` },
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { url: `ws://127.0.0.1:${ports.port}`, httpUrl, pid: service.pid, stop: () => service.stop(), logFile: service.logFile };
}
