// The phone side on loopback: Redis (LiveKit's bus between the media server and the SIP bridge) and the LiveKit SIP
// bridge (built from its Go module into .tools/bin). Each has its own port and secret; both are stopped by PID.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT, freePort, startService, waitFor } from './proc.mjs';

export const SIP_BRIDGE_BIN = path.join(REPO_ROOT, '.tools', 'bin', 'livekit-sip');

/** Answers PING with +PONG once Redis accepts the password. */
function redisPing(port, password) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('PONG') || reply.includes('-')) socket.end();
    });
    socket.on('close', () => resolve(reply.includes('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

/**
 * @param {{ dir: string, port?: number }} options
 * @returns {Promise<{ address: string, password: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export async function startRedis({ dir, port }) {
  mkdirSync(dir, { recursive: true });
  const redisPort = port ?? (await freePort());
  const password = randomBytes(24).toString('hex');
  const configFile = path.join(dir, 'redis.conf');
  // The password is in a file of the run's own (mode 600), not on a command line other users could read.
  writeFileSync(
    configFile,
    [`port ${redisPort}`, 'bind 127.0.0.1', 'protected-mode yes', `requirepass ${password}`, `dir ${dir}`, 'save ""', 'appendonly no', ''].join('\n'),
    { mode: 0o600 },
  );
  const service = startService('redis', 'redis-server', [configFile], { logFile: path.join(dir, 'redis.log') });
  try {
    await waitFor(
      async () => {
        if (!service.running) throw new Error(`Redis exited at start; see ${service.logFile}`);
        return redisPing(redisPort, password);
      },
      { timeoutMs: 15_000, what: `Redis on 127.0.0.1:${redisPort}` },
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { address: `127.0.0.1:${redisPort}`, password, port: redisPort, pid: service.pid, stop: () => service.stop() };
}

/** An even-sized block of RTP ports of its own, so two stacks on one machine never share one. */
function rtpRange(size) {
  const start = 20000 + 2 * Math.floor(Math.random() * 10000);
  return { start, end: start + size - 1 };
}

/**
 * @param {{ dir: string, livekitUrl: string, apiKey: string, apiSecret: string, redis: { address: string, password: string }, sipPort?: number, rtpPorts?: { start: number, end: number } }} options
 * @returns {Promise<{ sipPort: number, rtpPorts: { start: number, end: number }, pid: number, stop: () => Promise<void>, logFile: string }>}
 */
export async function startSipBridge({ dir, livekitUrl, apiKey, apiSecret, redis, sipPort, rtpPorts }) {
  if (!existsSync(SIP_BRIDGE_BIN)) throw new Error(`The LiveKit SIP bridge is not installed at ${SIP_BRIDGE_BIN}: run scripts/install-tools.sh`);
  mkdirSync(dir, { recursive: true });
  const port = sipPort ?? (await freePort());
  const rtp = rtpPorts ?? rtpRange(400);
  const configFile = path.join(dir, 'sip.yaml');
  writeFileSync(
    configFile,
    [
      `api_key: ${apiKey}`,
      `api_secret: ${apiSecret}`,
      `ws_url: ${livekitUrl}`,
      'redis:',
      `  address: ${redis.address}`,
      `  password: ${redis.password}`,
      `sip_port: ${port}`,
      'listen_ip: 127.0.0.1',
      // Announced in SDP and Contact: the phone on this machine reaches the bridge on loopback.
      'nat_1_to_1_ip: 127.0.0.1',
      `rtp_port: ${rtp.start}-${rtp.end}`,
      'logging:',
      '  level: info',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // SIGINT: the bridge hangs up its calls and stops (SIGTERM would wait for every call to end first, as an upgrade of
  // a bridge in service should).
  const service = startService('livekit-sip', SIP_BRIDGE_BIN, ['--config', configFile], { logFile: path.join(dir, 'sip.log'), stopSignal: 'SIGINT' });
  try {
    await waitFor(
      async () => {
        if (!service.running) throw new Error(`The SIP bridge exited at start; see ${service.logFile}`);
        return isSipListening(port);
      },
      { timeoutMs: 20_000, what: `the SIP bridge on 127.0.0.1:${port}` },
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { sipPort: port, rtpPorts: rtp, pid: service.pid, stop: () => service.stop(), logFile: service.logFile };
}

/** The bridge listens on TCP and UDP alike; its TCP port accepting is the sign it is up. */
function isSipListening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
