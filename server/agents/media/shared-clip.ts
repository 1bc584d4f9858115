// A waiting-room clip decoded once per worker and fanned out to every call that shows it.
//
// One ffmpeg process per clip decodes it in a loop (`-stream_loop -1`) to raw I420 frames on pipe 3 and 48 kHz
// mono s16 audio on pipe 4. ffmpeg decodes ahead as fast as the pipes let it; Node paces the output on one clock:
// a video frame is handed out when its time comes, and audio `leadMs` early, so every subscriber's AudioSource
// has a little queued (riding over a busy event loop) and plays it in step with the picture. The decoder is held
// about a second ahead by pausing the pipes, so memory stays small. (ffmpeg's own `-re` pacing would give audio
// no lead at all.)
//
// The decoder starts with the first subscriber and is killed (by PID) `lingerMs` after the last one leaves; a
// subscriber arriving meanwhile keeps it. sharedClip(path) returns the same instance for the same file.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AudioFrame, type VideoFrame } from '@livekit/rtc-node';
import { i420Size, wrapI420 } from './video-frames';

export type ClipSubscriber = {
  onVideo(frame: VideoFrame): void;
  onAudio(frame: AudioFrame): void;
  /** The clip cannot be played (ffmpeg failed three times in a row); no more frames come. */
  onError?(error: Error): void;
};

export type SharedClipOptions = {
  width?: number;
  height?: number;
  fps?: number;
  /** How long the decoder outlives its last subscriber (a caller moving between stages keeps it warm). */
  lingerMs?: number;
  /** Audio is handed out this much ahead of the picture (it plays out of each subscriber's queue). */
  leadMs?: number;
  ffmpegPath?: string;
};

export type SharedClipStats = { videoFrames: number; audioFrames: number; starts: number };

export type SharedClip = {
  readonly path: string;
  subscribe(subscriber: ClipSubscriber): () => void;
  readonly subscriberCount: number;
  /** The decoder's PID while it runs. */
  readonly pid: number | null;
  readonly stats: Readonly<SharedClipStats>;
  /** Stops the decoder now and drops every subscriber. */
  close(): Promise<void>;
};

export const CLIP_SAMPLE_RATE = 48_000;
const AUDIO_FRAME_MS = 20;
const SAMPLES_PER_FRAME = (CLIP_SAMPLE_RATE / 1000) * AUDIO_FRAME_MS;
const AUDIO_FRAME_BYTES = SAMPLES_PER_FRAME * 2;
const TICK_MS = 20;
/** Decoded media held in memory ahead of the clock, and the level at which a paused pipe resumes. */
const AHEAD_MS = 1000;
const RESUME_MS = 500;
const MAX_QUICK_FAILURES = 3;

const running = new Set<number>();
let exitHookInstalled = false;

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** A worker that exits without closing its clips does not leave decoders behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) killPid(pid, 'SIGKILL');
  });
}

export function openSharedClip(file: string, options: SharedClipOptions = {}): SharedClip {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const fps = options.fps ?? 15;
  const lingerMs = options.lingerMs ?? 2000;
  const leadMs = options.leadMs ?? 100;
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const frameBytes = i420Size(width, height);
  const frameMs = 1000 / fps;
  const subscribers = new Set<ClipSubscriber>();
  const stats: SharedClipStats = { videoFrames: 0, audioFrames: 0, starts: 0 };
  installExitHook();

  let decoder: Decoder | null = null;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  let quickFailures = 0;
  let hasAudio: Promise<boolean> | null = null;

  type Decoder = {
    child: ChildProcess;
    startedAt: number;
    stopping: boolean;
    video: Readable;
    audio: Readable | null;
    videoQueue: VideoFrame[];
    audioQueue: AudioFrame[];
    /** The clock starts when the first picture is decoded; media time 0 is shown at clockStart. */
    clockStart: number | null;
    nextVideo: number;
    nextAudio: number;
    lastVideo: VideoFrame | null;
    /** Audio handed out but not yet due (the lead): replayed to a subscriber who joins now. */
    recentAudio: { due: number; frame: AudioFrame }[];
    ticker: ReturnType<typeof setInterval>;
  };

  function each(deliver: (subscriber: ClipSubscriber) => void): void {
    for (const subscriber of subscribers) {
      try {
        deliver(subscriber);
      } catch (error) {
        console.error('shared-clip: a subscriber failed to take a frame', error);
      }
    }
  }

  async function start(): Promise<void> {
    hasAudio ??= probeAudio(file);
    const withAudio = await hasAudio;
    if (decoder || subscribers.size === 0) return;
    const video = [
      `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
      'setsar=1',
      `fps=${fps}`,
      'format=yuv420p',
    ].join(',');
    const args = [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-stream_loop', '-1', '-i', file],
      ...['-map', '0:v:0', '-vf', video, '-f', 'rawvideo', 'pipe:3'],
      // async=1 fills gaps with silence from the timestamps, so audio keeps in step with the picture loop after loop.
      ...(withAudio ? ['-map', '0:a:0', '-af', `aresample=${CLIP_SAMPLE_RATE}:async=1:first_pts=0`, '-ac', '1', '-f', 's16le', 'pipe:4'] : []),
    ];
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', withAudio ? 'pipe' : 'ignore'] });
    stats.starts++;
    if (child.pid) running.add(child.pid);
    const d: Decoder = {
      child,
      startedAt: performance.now(),
      stopping: false,
      video: child.stdio[3] as Readable,
      audio: withAudio ? (child.stdio[4] as Readable) : null,
      videoQueue: [],
      audioQueue: [],
      clockStart: null,
      nextVideo: 0,
      nextAudio: 0,
      lastVideo: null,
      recentAudio: [],
      ticker: setInterval(() => tick(d), TICK_MS),
    };
    decoder = d;

    let stderr = '';
    // A pipe closing under a killed decoder is not an error of ours; the exit handler deals with the end.
    d.video.on('error', () => {});
    d.audio?.on('error', () => {});
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.once('error', (error) => finished(d, error.message));
    child.once('exit', (code, signal) => finished(d, stderr.trim() || `ffmpeg exited with ${code ?? signal}`));

    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    d.video.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          d.videoQueue.push(wrapI420(frame, width, height));
          d.clockStart ??= performance.now();
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
      if (d.videoQueue.length * frameMs > AHEAD_MS) d.video.pause();
    });

    let samples = new Int16Array(SAMPLES_PER_FRAME);
    let bytes = new Uint8Array(samples.buffer);
    let audioFilled = 0;
    d.audio?.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(AUDIO_FRAME_BYTES - audioFilled, chunk.length - offset);
        bytes.set(chunk.subarray(offset, offset + n), audioFilled);
        audioFilled += n;
        offset += n;
        if (audioFilled === AUDIO_FRAME_BYTES) {
          d.audioQueue.push(new AudioFrame(samples, CLIP_SAMPLE_RATE, 1, SAMPLES_PER_FRAME));
          samples = new Int16Array(SAMPLES_PER_FRAME);
          bytes = new Uint8Array(samples.buffer);
          audioFilled = 0;
        }
      }
      if (d.audioQueue.length * AUDIO_FRAME_MS > AHEAD_MS) d.audio!.pause();
    });
  }

  function tick(d: Decoder): void {
    if (d.clockStart === null || d.stopping) return;
    const now = performance.now() - d.clockStart;

    // Video: the frame whose time has come; frames that are already late are skipped.
    const due = Math.floor(now / frameMs);
    let shown: VideoFrame | null = null;
    while (d.nextVideo <= due && d.videoQueue.length > 0) {
      shown = d.videoQueue.shift()!;
      d.nextVideo++;
      stats.videoFrames++;
    }
    if (shown) {
      d.lastVideo = shown;
      const frame = shown;
      each((s) => s.onVideo(frame));
    }

    // Audio: everything due within the lead.
    while (d.audioQueue.length > 0 && d.nextAudio * AUDIO_FRAME_MS - leadMs <= now) {
      const frame = d.audioQueue.shift()!;
      d.recentAudio.push({ due: d.nextAudio * AUDIO_FRAME_MS, frame });
      d.nextAudio++;
      stats.audioFrames++;
      each((s) => s.onAudio(frame));
    }
    while (d.recentAudio.length > 0 && d.recentAudio[0]!.due < now) d.recentAudio.shift();

    // Keep the decoder about a second ahead; never hold one pipe while the other has run dry (ffmpeg writes both
    // in turn, so a paused pipe would stall the other stream).
    const audioDry = d.audio !== null && d.audioQueue.length === 0;
    const videoDry = d.videoQueue.length === 0;
    if (d.video.isPaused() && (d.videoQueue.length * frameMs < RESUME_MS || audioDry)) d.video.resume();
    if (d.audio?.isPaused() && (d.audioQueue.length * AUDIO_FRAME_MS < RESUME_MS || videoDry)) d.audio.resume();
  }

  function finished(d: Decoder, reason: string): void {
    clearInterval(d.ticker);
    if (d.child.pid) running.delete(d.child.pid);
    if (decoder !== d) return;
    decoder = null;
    if (d.stopping || subscribers.size === 0) return;
    // ffmpeg died while the clip was being watched: start again, unless it keeps failing straight away.
    quickFailures = performance.now() - d.startedAt < 5000 ? quickFailures + 1 : 0;
    if (quickFailures >= MAX_QUICK_FAILURES) {
      const error = new Error(`The clip ${path.basename(file)} cannot be played: ${reason}`);
      const failed = [...subscribers];
      subscribers.clear();
      for (const s of failed) s.onError?.(error);
      return;
    }
    setTimeout(() => void start(), 500 * quickFailures);
  }

  function stop(): Promise<void> {
    const d = decoder;
    decoder = null;
    if (!d) return Promise.resolve();
    d.stopping = true;
    clearInterval(d.ticker);
    const pid = d.child.pid;
    if (!pid || d.child.exitCode !== null || d.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => killPid(pid, 'SIGKILL'), 1000);
      d.child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      killPid(pid, 'SIGTERM');
    });
  }

  const clip: SharedClip = {
    path: file,
    stats,
    get subscriberCount() {
      return subscribers.size;
    },
    get pid() {
      return decoder?.child.pid ?? null;
    },
    subscribe(subscriber) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
      subscribers.add(subscriber);
      const d = decoder;
      if (d) {
        // A late joiner gets the current picture and the queued-ahead audio at once.
        if (d.lastVideo) subscriber.onVideo(d.lastVideo);
        for (const { frame } of d.recentAudio) subscriber.onAudio(frame);
      } else {
        quickFailures = 0;
        void start();
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        subscribers.delete(subscriber);
        if (subscribers.size === 0) {
          clearTimeout(lingerTimer);
          lingerTimer = setTimeout(() => {
            lingerTimer = undefined;
            if (subscribers.size === 0) void stop();
          }, lingerMs);
        }
      };
    },
    close() {
      clearTimeout(lingerTimer);
      subscribers.clear();
      return stop();
    },
  };
  return clip;
}

/** Whether the clip has a sound track (house-format clips always do; anything else is played silent). */
function probeAudio(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'csv=p=0', file], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => resolve(false));
    child.once('close', () => resolve(out.trim().length > 0));
  });
}

const registry = new Map<string, SharedClip>();

/** The worker's one instance for this clip file (and frame format). */
export function sharedClip(file: string, options: SharedClipOptions = {}): SharedClip {
  const resolved = path.resolve(file);
  const key = `${resolved}|${options.width ?? 640}x${options.height ?? 360}@${options.fps ?? 15}`;
  let clip = registry.get(key);
  if (!clip) {
    clip = openSharedClip(resolved, options);
    registry.set(key, clip);
  }
  return clip;
}

/** Stops every shared clip's decoder (worker shutdown, test teardown). */
export async function closeAllSharedClips(): Promise<void> {
  const clips = [...registry.values()];
  registry.clear();
  await Promise.all(clips.map((clip) => clip.close()));
}
