// One simulated consult participant on @livekit/rtc-node: joins a room with a token from the web app,
// publishes a 440 Hz tone (48 kHz mono) and a moving test picture (I420), and meters every remote
// audio and video track it receives (frame arrivals; audio counts only frames that carry the tone,
// so concealment or silence after a network stall does not pass for sound).
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  VideoStream,
  type RemoteParticipant,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { FrameMeter, rms } from './capacity-figures';

export const SAMPLE_RATE = 48_000;
export const VIDEO_WIDTH = 320;
export const VIDEO_HEIGHT = 240;
export const VIDEO_FPS = 15;
const TONE_HZ = 440;
const TONE_AMPLITUDE = 10_000;
/** Well under the tone's RMS (about 7,000) and far above concealment fading out. */
const TONE_RMS_THRESHOLD = 2_000;
/** Received audio is delivered in 50 ms frames: five times fewer events than 10 ms for the same check. */
const RECEIVE_AUDIO_FRAME_MS = 50;

/** One second of the tone cut into `frameMs` frames, published in a loop. */
function toneFrames(frameMs: number): AudioFrame[] {
  const samples = (SAMPLE_RATE * frameMs) / 1000;
  const count = Math.round(1000 / frameMs);
  return Array.from({ length: count }, (_, index) => {
    const data = new Int16Array(samples);
    for (let i = 0; i < samples; i++) {
      const n = index * samples + i;
      data[i] = Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * n) / SAMPLE_RATE));
    }
    return new AudioFrame(data, SAMPLE_RATE, 1, samples);
  });
}

/** Two seconds of a test picture with a moving bar and a moving block, so every frame differs. */
function pictureFrames(): VideoFrame[] {
  const count = VIDEO_FPS * 2;
  const lumaSize = VIDEO_WIDTH * VIDEO_HEIGHT;
  const chromaSize = lumaSize / 4;
  return Array.from({ length: count }, (_, index) => {
    const data = new Uint8Array(lumaSize + 2 * chromaSize);
    const barX = Math.floor((index / count) * VIDEO_WIDTH);
    const blockY = Math.floor((index / count) * (VIDEO_HEIGHT - 40));
    for (let y = 0; y < VIDEO_HEIGHT; y++) {
      for (let x = 0; x < VIDEO_WIDTH; x++) {
        const inBar = Math.abs(x - barX) < 12;
        const inBlock = x > 200 && x < 240 && y > blockY && y < blockY + 40;
        data[y * VIDEO_WIDTH + x] = inBar ? 235 : inBlock ? 40 : 60 + ((x + y + index * 3) % 120);
      }
    }
    data.fill(110, lumaSize, lumaSize + chromaSize);
    data.fill(150, lumaSize + chromaSize);
    return new VideoFrame(data, VIDEO_WIDTH, VIDEO_HEIGHT, VideoBufferType.I420);
  });
}

let sharedPicture: VideoFrame[] | undefined;
const sharedTone = new Map<number, AudioFrame[]>();

export type ReceivedTrack = { from: string; kind: 'audio' | 'video'; meter: FrameMeter };

export class MediaParticipant {
  readonly room = new Room();
  readonly received: ReceivedTrack[] = [];
  private readonly audioSource = new AudioSource(SAMPLE_RATE, 1);
  private readonly videoSource = new VideoSource(VIDEO_WIDTH, VIDEO_HEIGHT);
  private readonly readers: ReadableStreamDefaultReader[] = [];
  private videoTimer: NodeJS.Timeout | undefined;
  private running = false;
  private audioLoop: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly audioFrameMs: number;

  constructor(
    /** Who this is in the benchmark's output, e.g. `consult 3 gp`. */
    readonly label: string,
    options: { audioFrameMs: number; now: () => number },
  ) {
    this.now = options.now;
    if (!sharedTone.has(options.audioFrameMs)) sharedTone.set(options.audioFrameMs, toneFrames(options.audioFrameMs));
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _publication, participant: RemoteParticipant) => this.meter(track, participant));
    this.audioFrameMs = options.audioFrameMs;
  }

  async join(serverUrl: string, token: string): Promise<void> {
    await this.room.connect(serverUrl, token, { autoSubscribe: true, dynacast: false });
    const audioTrack = LocalAudioTrack.createAudioTrack('microphone', this.audioSource);
    const videoTrack = LocalVideoTrack.createVideoTrack('camera', this.videoSource);
    await this.room.localParticipant!.publishTrack(audioTrack, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE, dtx: false, red: false }));
    await this.room.localParticipant!.publishTrack(
      videoTrack,
      new TrackPublishOptions({
        source: TrackSource.SOURCE_CAMERA,
        simulcast: false,
        videoEncoding: { maxBitrate: 300_000n, maxFramerate: VIDEO_FPS },
      }),
    );
    this.running = true;
    this.startVideo();
    this.audioLoop = this.runAudio();
  }

  private startVideo() {
    sharedPicture ??= pictureFrames();
    const picture = sharedPicture;
    let index = 0;
    this.videoTimer = setInterval(() => {
      if (!this.running) return;
      this.videoSource.captureFrame(picture[index % picture.length]!, BigInt(Math.round(this.now() * 1000)));
      index += 1;
    }, 1000 / VIDEO_FPS);
  }

  /** The source paces the loop: each capture resolves once the frame fits in its playout queue. */
  private async runAudio() {
    const tone = sharedTone.get(this.audioFrameMs)!;
    let index = 0;
    while (this.running) {
      try {
        await this.audioSource.captureFrame(tone[index % tone.length]!);
      } catch (error) {
        if (this.running) throw error;
      }
      index += 1;
    }
  }

  private meter(track: RemoteTrack, participant: RemoteParticipant) {
    const kind = track.kind === TrackKind.KIND_AUDIO ? 'audio' : 'video';
    const meter = new FrameMeter(`${kind} from ${participant.identity} to ${this.label}`);
    this.received.push({ from: participant.identity, kind, meter });
    if (kind === 'audio') {
      const stream = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1, frameSizeMs: RECEIVE_AUDIO_FRAME_MS });
      void this.drain(stream, (frame) => {
        if (rms(frame.data) > TONE_RMS_THRESHOLD) meter.frame(this.now());
      });
    } else {
      const stream = new VideoStream(track);
      void this.drain(stream, () => meter.frame(this.now()));
    }
  }

  private async drain<T>(stream: ReadableStream<T>, onFrame: (frame: T) => void) {
    const reader = stream.getReader();
    this.readers.push(reader);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        onFrame(value);
      }
    } catch {
      // The stream ends with the room; a reader error after that is expected.
    } finally {
      reader.releaseLock();
    }
  }

  /** Receives from every other party of the consult: audio and video from each of `others` remote participants. */
  mediaFlowing(others: number): boolean {
    const seen = this.received.filter((track) => track.meter.firstFrameSeen);
    return seen.filter((t) => t.kind === 'audio').length >= others && seen.filter((t) => t.kind === 'video').length >= others;
  }

  get identity(): string | undefined {
    return this.room.localParticipant?.identity;
  }

  async leave(): Promise<void> {
    this.running = false;
    clearInterval(this.videoTimer);
    await Promise.all(this.readers.map((reader) => reader.cancel().catch(() => {})));
    await this.room.disconnect().catch(() => {});
    await this.audioLoop?.catch(() => {});
    await this.audioSource.close().catch(() => {});
    await this.videoSource.close().catch(() => {});
  }
}
