// A real phone for tests and benchmarks: SIPp (Debian's sip-tester) places a call with G.711 A-law audio and RFC 4733
// keys from the pcaps it ships, and the phone's own RTP port is a UDP socket here, so what the caller hears is measured.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PCAPS = '/usr/share/sip-tester';

/**
 * A pause, keys pressed (one every `gapMs`, default 1 s), or the G.711 speech recording SIPp ships. When the clinic
 * hangs up and the last step is speech, the caller goes on talking (the recording again and again) until the BYE.
 */
export type CallStep = { pauseMs: number } | { keys: string; gapMs?: number } | { speak: true };

const EVENT_CODES: Record<string, number> = { '*': 10, '#': 11 };
for (let digit = 0; digit <= 9; digit++) EVENT_CODES[String(digit)] = digit;

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/**
 * Key presses as a phone sends them (RFC 4733 telephone-events, payload type 101), as a pcap SIPp replays with its
 * timing. Made here rather than taken from SIPp's per-digit pcaps: those all carry the same RTP timestamp, and a
 * receiver rightly takes the same digit twice in a row for one press repeated.
 */
let nextTimestampBase = Math.floor(Math.random() * 1e6);

export function keyPressesPcap(keys: string, gapMs: number, ssrc = 0x5eed1234): Buffer {
  // Each recording's events come later on the RTP clock than the last one's, as a phone's would.
  const timestampBase = nextTimestampBase;
  nextTimestampBase += 8 * (1000 + keys.length * gapMs + 60_000);
  const records: Buffer[] = [];
  const globalHeader = Buffer.alloc(24);
  globalHeader.writeUInt32LE(0xa1b2c3d4, 0);
  globalHeader.writeUInt16LE(2, 4);
  globalHeader.writeUInt16LE(4, 6);
  globalHeader.writeUInt32LE(65535, 16);
  globalHeader.writeUInt32LE(1, 20); // Ethernet
  records.push(globalHeader);
  let seq = Math.floor(Math.random() * 30000);
  const packet = (atMs: number, timestamp: number, marker: boolean, event: number, end: boolean, duration: number) => {
    const rtp = Buffer.alloc(16);
    rtp[0] = 0x80;
    rtp[1] = (marker ? 0x80 : 0) | 101;
    rtp.writeUInt16BE(seq++ & 0xffff, 2);
    rtp.writeUInt32BE(timestamp >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    rtp[12] = event;
    rtp[13] = (end ? 0x80 : 0) | 10;
    rtp.writeUInt16BE(duration, 14);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udp.length + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const ethernet = Buffer.alloc(14);
    ethernet.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([ethernet, ip, udp, rtp]);
    const recordHeader = Buffer.alloc(16);
    recordHeader.writeUInt32LE(Math.floor(atMs / 1000), 0);
    recordHeader.writeUInt32LE(Math.round((atMs % 1000) * 1000), 4);
    recordHeader.writeUInt32LE(frame.length, 8);
    recordHeader.writeUInt32LE(frame.length, 12);
    records.push(recordHeader, frame);
  };
  [...keys].forEach((key, index) => {
    const event = EVENT_CODES[key];
    if (event === undefined) throw new Error(`${key} is not a phone key`);
    const startMs = 1000 + index * gapMs;
    const timestamp = timestampBase + 8 * startMs;
    // 120 ms of tone in 20 ms packets, then the end of the event three times, as phones do.
    for (let step = 0; step < 6; step++) packet(startMs + step * 20, timestamp, step === 0, event, false, (step + 1) * 160);
    for (let repeat = 0; repeat < 3; repeat++) packet(startMs + 120 + repeat * 20, timestamp, false, event, true, 960);
  });
  return Buffer.concat(records);
}

/** The caller's scenario: INVITE with our RTP port in the SDP, then the steps, then the phone's BYE or, awaited, the clinic's. */
function scenarioXml(steps: CallStep[], keysPcap: (step: { keys: string; gapMs?: number }) => string, hangUp: 'phone' | 'clinic', auth: boolean): string {
  const header = (method: string, cseq: number) =>
    [
      `${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
      'From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
      `To: <sip:[service]@[remote_ip]:[remote_port]>${method === 'INVITE' ? '' : '[peer_tag_param]'}`,
      'Call-ID: [call_id]',
      `CSeq: ${cseq} ${method}`,
      'Contact: sip:[caller]@[local_ip]:[local_port]',
      'Max-Forwards: 70',
    ].join('\n');
  const sdp = [
    'v=0',
    'o=phone 53655765 2353687637 IN IP4 [local_ip]',
    's=-',
    'c=IN IP4 [local_ip]',
    't=0 0',
    'm=audio [phone_rtp_port] RTP/AVP 8 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
  ].join('\n');
  const inviteCseq = auth ? 2 : 1;
  const talksUntilHungUp = hangUp === 'clinic' && steps.length > 0 && 'speak' in steps[steps.length - 1]!;
  const actions = (talksUntilHungUp ? steps.slice(0, -1) : steps)
    .map((step, index) => {
      if ('pauseMs' in step) return `  <pause milliseconds="${step.pauseMs}"/>`;
      const pcap = 'keys' in step ? keysPcap(step) : `${PCAPS}/g711a.pcap`;
      const logged = 'keys' in step ? `  <nop><action><log message="keys ${step.keys} [timestamp]"/></action></nop>\n` : '';
      // SIPp plays a pcap alongside the scenario: the pause after it lets it finish, except when the clinic's BYE is
      // awaited next (a BYE arriving in a pause would be unexpected to SIPp; the keys go on playing meanwhile).
      const awaitsBye = hangUp === 'clinic' && index === steps.length - 1;
      const lasts = 'keys' in step && !awaitsBye ? step.keys.length * (step.gapMs ?? 1000) + 300 : 0;
      return `${logged}  <nop><action><exec play_pcap_audio="${pcap}"/></action></nop>${lasts ? `\n  <pause milliseconds="${lasts}"/>` : ''}`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone caller">
  <nop><action><log message="invite [timestamp]"/></action></nop>
  <send retrans="500"><![CDATA[
${header('INVITE', 1)}
Content-Type: application/sdp
Content-Length: [len]

${sdp}
]]></send>
${
  // With credentials: the bridge challenges the INVITE (401 or 407), SIPp answers the challenge with a second INVITE.
  auth
    ? `  <recv response="100" optional="true"/>
  <recv response="401" auth="true" optional="true" next="challenged"/>
  <recv response="407" auth="true" next="challenged"/>
  <label id="challenged"/>
  <send><![CDATA[
${header('ACK', 1)}
Content-Length: 0
]]></send>
  <send retrans="500"><![CDATA[
${header('INVITE', 2)}
[authentication]
Content-Type: application/sdp
Content-Length: [len]

${sdp}
]]></send>`
    : ''
}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"><action><log message="answered [timestamp]"/></action></recv>
  <send><![CDATA[
${header('ACK', inviteCseq)}
Content-Length: 0
]]></send>
${actions}
${
  hangUp === 'phone'
    ? `  <send retrans="500"><![CDATA[
${header('BYE', inviteCseq + 1)}
Content-Length: 0
]]></send>
  <recv response="200" crlf="true"/>`
    : `${talksUntilHungUp ? `  <label id="talk"/>\n  <nop><action><exec play_pcap_audio="${PCAPS}/g711a.pcap"/></action></nop>\n  <recv request="BYE" timeout="7100" ontimeout="talk"/>` : '  <recv request="BYE"/>'}
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>`
}
</scenario>
`;
}

/** G.711 A-law to a linear sample in [-1, 1]. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  magnitude = a & 0x80 ? magnitude : -magnitude;
  return magnitude / 32768;
}

/** The phone's RTP port: what the bridge sends it is decoded (G.711 A-law) and measured in 20 ms windows (one packet). */
async function rtpListener() {
  const rtp: Socket = createSocket('udp4');
  const heard = { packets: 0, peakRms: 0, firstAudioAt: null as number | null };
  const windows: { at: number; rms: number }[] = [];
  let windowSum = 0;
  let windowCount = 0;
  rtp.on('message', (packet) => {
    // RTP: 12-byte header (no CSRC, no extension from the bridge); payload type 8 is PCMA.
    if (packet.length <= 12 || (packet[1]! & 0x7f) !== 8) return;
    heard.packets++;
    for (let i = 12; i < packet.length; i++) {
      const sample = alawToLinear(packet[i]!);
      windowSum += sample * sample;
      windowCount++;
    }
    if (windowCount >= 160) {
      const rms = Math.sqrt(windowSum / windowCount);
      if (rms > 0.01 && heard.firstAudioAt === null) heard.firstAudioAt = Date.now();
      heard.peakRms = Math.max(heard.peakRms, rms);
      windows.push({ at: Date.now(), rms });
      windowSum = 0;
      windowCount = 0;
    }
  });
  await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
  return {
    port: rtp.address().port,
    heard: () => ({ ...heard }),
    loudestSince: (at: number) => windows.reduce((loudest, w) => (w.at > at && w.rms > loudest ? w.rms : loudest), 0),
    windows: () => windows,
    close: () => rtp.close(),
  };
}

/**
 * What every SIPp phone here shares: loopback signalling and media on its own ports, one call, our RTP port in its SDP,
 * errors traced, and a time limit (a call the bridge never answers, refused silently, ends then instead of after SIP's
 * 32 s of retries).
 */
function phoneOptions(options: { sippPort: number; mediaPort: number; rtpPort: number; timeoutSeconds: number }): string[] {
  return [
    '-key',
    'phone_rtp_port',
    String(options.rtpPort),
    '-i',
    '127.0.0.1',
    '-p',
    String(options.sippPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(options.mediaPort),
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    `${options.timeoutSeconds}s`,
    '-timeout_error',
    '-trace_err',
  ];
}

/** Runs SIPp to its end (exit code 0: the scenario went through), keeping the tail of its output; then closes `listener`. */
function runSipp(args: string[], listener: { close: () => void }): Promise<{ code: number | null; output: string }> {
  const sipp = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  sipp.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  sipp.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  return new Promise((resolve) =>
    sipp.on('exit', (code) => {
      listener.close();
      resolve({ code, output });
    }),
  );
}

export type PhoneCall = {
  /** Resolves when SIPp ends: exit code 0 when the call went through to its BYE. */
  finished: Promise<{ code: number | null; output: string }>;
  /** Loudest 100 ms of what the phone heard so far (RMS of the decoded A-law), and the number of RTP packets. */
  heard: () => { packets: number; peakRms: number; firstAudioAt: number | null };
  /** The loudest 20 ms the phone heard after `at` (Date.now() time). */
  loudestSince: (at: number) => number;
  /** What the phone heard, 20 ms at a time: when (Date.now() time) and how loud (RMS). */
  windows: () => { at: number; rms: number }[];
  /** When SIPp sent the INVITE, got the answer and started each key press (epoch ms, from its log). */
  events: () => { invite: number | null; answered: number | null; keys: { keys: string; at: number }[] };
  startedAt: number;
  /** The phone's SIP port (its logs are named after it). */
  sippPort: number;
};

/**
 * Calls `to` at the SIP bridge on 127.0.0.1:`sipPort` from `from`. `dir` keeps the scenario and SIPp's error log.
 * `sippPort`: the phone's own SIP port (a free one).
 */
export async function placePhoneCall(options: {
  sipPort: number;
  from: string;
  to: string;
  steps: CallStep[];
  dir: string;
  sippPort: number;
  mediaPort: number;
  timeoutSeconds?: number;
  /** Who hangs up: the phone (its BYE after the steps), or the clinic (the phone waits for the bridge's BYE). */
  hangUp?: 'phone' | 'clinic';
  /** Digest credentials the phone answers the bridge's challenge with. */
  auth?: { username: string; password: string };
}): Promise<PhoneCall> {
  mkdirSync(options.dir, { recursive: true });
  const scenario = path.join(options.dir, `caller-${options.sippPort}.xml`);
  let pcaps = 0;
  const keysPcap = (step: { keys: string; gapMs?: number }) => {
    const file = path.resolve(options.dir, `keys-${options.sippPort}-${pcaps++}.pcap`);
    writeFileSync(file, keyPressesPcap(step.keys, step.gapMs ?? 1000));
    return file;
  };
  writeFileSync(scenario, scenarioXml(options.steps, keysPcap, options.hangUp ?? 'phone', Boolean(options.auth)));
  const listener = await rtpListener();
  const phoneRtpPort = listener.port;
  const logFile = path.join(options.dir, `sipp-${options.sippPort}-events.log`);
  const startedAt = Date.now();
  const finished = runSipp(
    [
      '-sf',
      scenario,
      '-s',
      options.to,
      '-key',
      'caller',
      options.from,
      ...phoneOptions({ ...options, rtpPort: phoneRtpPort, timeoutSeconds: options.timeoutSeconds ?? 20 }),
      '-l',
      '1',
      ...(options.auth ? ['-au', options.auth.username, '-ap', options.auth.password] : []),
      '-error_file',
      path.join(options.dir, `sipp-${options.sippPort}-errors.log`),
      '-trace_logs',
      '-log_file',
      logFile,
      `127.0.0.1:${options.sipPort}`,
    ],
    listener,
  );
  const events = () => {
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
    const at = (line: string) => Number(/(\d{10}\.\d{6})/.exec(line)?.[1] ?? NaN) * 1000;
    const first = (word: string) => {
      const line = lines.find((l) => l.startsWith(`${word} `));
      return line ? at(line) : null;
    };
    const keys = lines.filter((l) => l.startsWith('keys ')).map((l) => ({ keys: l.split(' ')[1]!, at: at(l) }));
    return { invite: first('invite'), answered: first('answered'), keys };
  };
  return { finished, heard: listener.heard, loudestSince: listener.loudestSince, windows: listener.windows, events, startedAt, sippPort: options.sippPort };
}

export type AnsweringPhone = {
  finished: Promise<{ code: number | null; output: string }>;
  loudestSince: (at: number) => number;
  sipPort: number;
};

/**
 * A phone that answers one call on 127.0.0.1:`sippPort` (SIPp as a UAS): it rings, answers with our RTP port in its SDP,
 * plays SIPp's G.711 speech recording, and waits for the caller's BYE.
 */
export async function answerPhoneCall(options: { dir: string; sippPort: number; mediaPort: number; timeoutSeconds?: number }): Promise<AnsweringPhone> {
  mkdirSync(options.dir, { recursive: true });
  const scenario = path.join(options.dir, `answer-${options.sippPort}.xml`);
  const reply = (status: string, body: boolean) =>
    [
      `SIP/2.0 ${status}`,
      '[last_Via:]',
      '[last_From:]',
      '[last_To:];tag=[pid]SIPpTag01[call_number]',
      '[last_Call-ID:]',
      '[last_CSeq:]',
      'Contact: <sip:[local_ip]:[local_port];transport=[transport]>',
      ...(body
        ? [
            'Content-Type: application/sdp',
            'Content-Length: [len]',
            '',
            'v=0',
            'o=phone 53655765 2353687637 IN IP4 [local_ip]',
            's=-',
            'c=IN IP4 [local_ip]',
            't=0 0',
            'm=audio [phone_rtp_port] RTP/AVP 8 101',
            'a=rtpmap:8 PCMA/8000',
            'a=rtpmap:101 telephone-event/8000',
          ]
        : ['Content-Length: 0']),
    ].join('\n');
  writeFileSync(
    scenario,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answering phone">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
${reply('180 Ringing', false)}
]]></send>
  <send retrans="500"><![CDATA[
${reply('200 OK', true)}
]]></send>
  <recv request="ACK" rtd="true" crlf="true"/>
  <nop><action><exec play_pcap_audio="${PCAPS}/g711a.pcap"/></action></nop>
  <recv request="BYE"/>
  <send><![CDATA[
${reply('200 OK', false)}
]]></send>
</scenario>
`,
  );
  const listener = await rtpListener();
  const finished = runSipp(
    [
      '-sf',
      scenario,
      ...phoneOptions({ ...options, rtpPort: listener.port, timeoutSeconds: options.timeoutSeconds ?? 40 }),
      '-error_file',
      path.join(options.dir, `answer-${options.sippPort}-errors.log`),
    ],
    listener,
  );
  return { finished, loudestSince: listener.loudestSince, sipPort: options.sippPort };
}
