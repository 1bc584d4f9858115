// Waiting-room clips uploaded by a clinic: checked with ffprobe, then transcoded once into the house format
// that the agents' shared-clip decoder plays (MP4, H.264 640x360 at 15 fps, AAC 48 kHz mono, faststart).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat, rename, rm } from 'node:fs/promises';
import os from 'node:os';

export const CLIP_MAX_SECONDS = 600;
export const CLIP_MAX_BYTES = 200 * 1024 * 1024;

export const HOUSE_FORMAT = { width: 640, height: 360, fps: 15, sampleRate: 48_000 } as const;

export type ClipRejection = 'notAVideo' | 'noVideoTrack' | 'tooLong' | 'tooLarge' | 'unsupportedFormat';

/** The English text of each rejection (the UI translates the reason through its dictionary). */
export const CLIP_REJECTION_MESSAGES: Record<ClipRejection, string> = {
  notAVideo: 'This file is not a video.',
  noVideoTrack: 'This file has sound but no picture.',
  tooLong: 'The video is longer than 10 minutes.',
  tooLarge: 'The file is larger than 200 MB.',
  unsupportedFormat: 'Upload the video as MP4 or WebM.',
};

export type ClipInspection =
  { ok: true; durationSeconds: number; width: number; height: number; hasAudio: boolean } | { ok: false; reason: ClipRejection; message: string };

const reject = (reason: ClipRejection): ClipInspection => ({ ok: false, reason, message: CLIP_REJECTION_MESSAGES[reason] });

type ProbeStream = {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
};
type Probe = { format?: { format_name?: string; duration?: string; tags?: Record<string, string> }; streams?: ProbeStream[] };

/** WebM allows these codecs only; a Matroska file with others is an .mkv, which is not accepted. */
const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis', 'webvtt']);
/** ffprobe's demuxers for still images: a photo is not a video. */
const IMAGE_FORMAT = /^(image2|[a-z0-9]+_pipe|gif|apng|webp)$/;

/** Whether `path` is an acceptable waiting-room clip: MP4 or WebM, with a picture, at most 10 minutes and 200 MB. */
export async function inspectClip(path: string, limits: { maxSeconds?: number; maxBytes?: number } = {}): Promise<ClipInspection> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return reject('notAVideo');
  if (info.size > (limits.maxBytes ?? CLIP_MAX_BYTES)) return reject('tooLarge');

  const probe = await ffprobe(path);
  if (!probe?.format) return reject('notAVideo');
  const formatName = probe.format.format_name ?? '';
  if (IMAGE_FORMAT.test(formatName)) return reject('notAVideo');
  const streams = probe.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video?.width || !video.height) return reject('noVideoTrack');
  if (!isMp4OrWebm(formatName, probe.format.tags ?? {}, streams)) return reject('unsupportedFormat');

  const durationSeconds = Number(probe.format.duration ?? video.duration ?? NaN) || (await scanDuration(path));
  if (!(durationSeconds > 0)) return reject('notAVideo');
  if (durationSeconds > (limits.maxSeconds ?? CLIP_MAX_SECONDS)) return reject('tooLong');

  // A phone video stored sideways with a rotation is shown upright: report what is seen.
  const rotation = Math.abs(Number(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video.tags?.rotate ?? 0)) % 180;
  const [width, height] = rotation === 90 ? [video.height, video.width] : [video.width, video.height];
  return { ok: true, durationSeconds, width, height, hasAudio: streams.some((s) => s.codec_type === 'audio') };
}

function isMp4OrWebm(formatName: string, tags: Record<string, string>, streams: ProbeStream[]): boolean {
  const names = formatName.split(',');
  if (names.includes('mp4')) {
    // The same demuxer reads QuickTime and 3GPP files; their brands tell them apart.
    const brand = (tags.major_brand ?? '').trim().toLowerCase();
    return !brand.startsWith('qt') && !brand.startsWith('3g');
  }
  if (names.includes('webm')) return streams.every((s) => !s.codec_name || WEBM_CODECS.has(s.codec_name));
  return false;
}

async function ffprobe(path: string): Promise<Probe | null> {
  const result = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], { timeoutMs: 30_000 });
  if (result.code !== 0) return null;
  try {
    return JSON.parse(result.stdout) as Probe;
  } catch {
    return null;
  }
}

/** Files recorded by browsers (WebM from MediaRecorder) often carry no duration: read it from the last packet. */
async function scanDuration(path: string): Promise<number> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path];
  const result = await runTool('ffprobe', args, { timeoutMs: 60_000 });
  let end = 0;
  for (const line of result.stdout.split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (Number.isFinite(pts)) end = Math.max(end, pts! + (Number.isFinite(duration) ? duration! : 0));
  }
  return end;
}

export class ClipTranscodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClipTranscodeError';
  }
}

export type TranscodeOptions = {
  /** 0..1, from ffmpeg's -progress output; 1 once the file is in place. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
};

/**
 * Transcodes an inspected clip into the house format, once per upload: H.264 640x360 (letterboxed, aspect kept),
 * 15 fps, a keyframe every 2 s (a looping clip restarts cleanly), AAC 48 kHz mono (a silent track when the clip has
 * none), faststart. The file appears at `output` only when complete. ffmpeg runs at low priority beside live calls.
 */
export async function transcodeToHouseFormat(input: string, output: string, options: TranscodeOptions = {}): Promise<void> {
  const inspection = await inspectClip(input);
  if (!inspection.ok) throw new ClipTranscodeError(`${input} cannot be transcoded: ${inspection.message}`);
  const { width, height, fps, sampleRate } = HOUSE_FORMAT;
  const video = [
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
    'setsar=1',
    `fps=${fps}`,
    'format=yuv420p',
  ].join(',');
  const audioInput = inspection.hasAudio ? [] : ['-f', 'lavfi', '-i', `anullsrc=r=${sampleRate}:cl=mono`];
  const audioMap = inspection.hasAudio ? ['-map', '0:a:0'] : ['-map', '1:a:0', '-shortest'];
  const partial = `${output}.${randomBytes(4).toString('hex')}.partial`;
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-y'],
    ...['-i', input, ...audioInput],
    ...['-map', '0:v:0', '-vf', video, ...audioMap],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'main', '-g', String(fps * 2), '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '96k', '-ar', String(sampleRate), '-ac', '1'],
    ...['-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', partial],
  ];
  let last = 0;
  const progress = (fraction: number) => {
    if (fraction <= last) return;
    last = fraction;
    options.onProgress?.(fraction);
  };
  const result = await runTool('ffmpeg', args, {
    timeoutMs: options.timeoutMs ?? 15 * 60_000,
    signal: options.signal,
    lowPriority: true,
    onLine: (line) => {
      const match = /^out_time_us=(\d+)/.exec(line);
      if (match) progress(Math.min(0.99, Number(match[1]) / 1e6 / inspection.durationSeconds));
    },
  });
  if (result.code !== 0) {
    await rm(partial, { force: true });
    const why = result.aborted ? 'it was cancelled' : result.timedOut ? 'it took too long' : `ffmpeg exited with ${result.code}`;
    throw new ClipTranscodeError(`Transcoding ${input} failed: ${why}`, { cause: result.stderr });
  }
  await rename(partial, output);
  progress(1);
}

type ToolResult = { code: number | null; stdout: string; stderr: string; timedOut: boolean; aborted: boolean };

/** Runs a tool to completion; it is killed (by PID) on timeout or abort. */
function runTool(
  command: string,
  args: string[],
  options: { timeoutMs: number; signal?: AbortSignal; lowPriority?: boolean; onLine?: (line: string) => void },
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    if (options.lowPriority && child.pid) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not allowed here: it runs at normal priority.
      }
    }
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onLine) {
        stdout += chunk;
        return;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      lines.forEach(options.onLine);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 8000) stderr += chunk;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error.code === 'ENOENT' ? new Error(`${command} is not installed: apt-get install -y ffmpeg`) : error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr: stderr.trim(), timedOut, aborted });
    });
  });
}
