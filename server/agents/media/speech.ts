// Spoken prompts and uploaded recordings as 48 kHz mono 16-bit PCM, the format the agents' AudioSource takes.
//
// Prompts are synthesized with espeak-ng (Debian's, `--stdout` WAV at 22.05 kHz) and resampled by ffmpeg.
// Each result is kept in memory and on disk under the SHA-256 of how it was made (engine, voice, text), so a
// prompt is rendered once per machine, not once per call; concurrent requests for one prompt share one run.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { env } from '@/server/env';

export type SpeechLocale = 'en' | 'zh-CN';

export const SPEECH_SAMPLE_RATE = 48_000;

/** espeak-ng's voices for the portal's two languages (`espeak-ng --voices` lists them). */
export const SPEECH_VOICES: Record<SpeechLocale, string> = { en: 'en', 'zh-CN': 'cmn' };

/** Part of every cache key: change it when the way audio is made changes, and old files are no longer used. */
const PIPELINE = 'pcm_s16le/48000/mono/v1';

export type MediaToolErrorReason = 'toolMissing' | 'voiceMissing' | 'synthesisFailed' | 'decodeFailed' | 'notFound' | 'timedOut';

/** A media tool (espeak-ng, ffmpeg) could not make the audio; `message` says which and why. */
export class MediaToolError extends Error {
  constructor(
    public readonly reason: MediaToolErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'MediaToolError';
  }
}

export type SpeechServiceOptions = {
  /** Where rendered audio is kept between runs. */
  cacheDir: string;
  /** Overrides SPEECH_VOICES (tests use a voice that does not exist). */
  voices?: Partial<Record<SpeechLocale, string>>;
  espeakPath?: string;
  ffmpegPath?: string;
  /** One tool run; it is killed after this. */
  timeoutMs?: number;
  /** The in-memory cache keeps the most recently used audio up to this size. */
  maxMemoryBytes?: number;
  /** Longer uploaded recordings are cut here. */
  maxRecordingSeconds?: number;
};

export type SpeechStats = {
  /** Processes started (espeak-ng and ffmpeg): a cached prompt starts none. */
  processes: number;
  syntheses: number;
  decodes: number;
  memoryHits: number;
  diskHits: number;
};

export type SpeechService = {
  speak(text: string, locale: SpeechLocale): Promise<Int16Array>;
  loadRecording(file: string): Promise<Int16Array>;
  readonly stats: Readonly<SpeechStats>;
  /** Kills (by PID) every tool still running. */
  close(): void;
};

type Entry = { promise: Promise<Int16Array>; bytes: number };

export function createSpeechService(options: SpeechServiceOptions): SpeechService {
  const voices = { ...SPEECH_VOICES, ...options.voices };
  const espeak = options.espeakPath ?? 'espeak-ng';
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxMemoryBytes = options.maxMemoryBytes ?? 64 * 1024 * 1024;
  const maxRecordingSeconds = options.maxRecordingSeconds ?? 600;
  const stats: SpeechStats = { processes: 0, syntheses: 0, decodes: 0, memoryHits: 0, diskHits: 0 };
  const memory = new Map<string, Entry>();
  const running = new Set<number>();
  const fileHashes = new Map<string, { size: number; mtimeMs: number; sha: string }>();
  let memoryBytes = 0;

  function remember(key: string, make: () => Promise<Int16Array>): Promise<Int16Array> {
    const known = memory.get(key);
    if (known) {
      stats.memoryHits++;
      // Most recently used last.
      memory.delete(key);
      memory.set(key, known);
      return known.promise;
    }
    const entry: Entry = { promise: fromDiskOrMake(key, make), bytes: 0 };
    memory.set(key, entry);
    entry.promise.then(
      (samples) => {
        if (memory.get(key) !== entry) return;
        entry.bytes = samples.byteLength;
        memoryBytes += entry.bytes;
        evict();
      },
      () => {
        if (memory.get(key) === entry) memory.delete(key);
      },
    );
    return entry.promise;
  }

  function evict(): void {
    for (const [key, entry] of memory) {
      if (memoryBytes <= maxMemoryBytes || memory.size <= 1) return;
      if (entry.bytes === 0) continue; // still being made
      memory.delete(key);
      memoryBytes -= entry.bytes;
    }
  }

  async function fromDiskOrMake(key: string, make: () => Promise<Int16Array>): Promise<Int16Array> {
    const file = path.join(options.cacheDir, `${key}.s16le`);
    const cached = await readFile(file).catch(() => null);
    if (cached) {
      stats.diskHits++;
      return toSamples(cached);
    }
    const samples = await make();
    await mkdir(options.cacheDir, { recursive: true });
    // Written aside and renamed, so another process never reads half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await writeFile(partial, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return samples;
  }

  function run(command: string, args: string[], input: { text?: string; from?: ReturnType<typeof spawn> }) {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    stats.processes++;
    if (child.pid) running.add(child.pid);
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.stdin!.on('error', () => {}); // the tool exited before reading all of its input: its exit code says why
    if (input.from) input.from.stdout!.pipe(child.stdin!);
    else child.stdin!.end(input.text ?? '');
    const timer = setTimeout(() => kill(child.pid), timeoutMs);
    const done = new Promise<{ code: number | null; stdout: Buffer; stderr: string; timedOut: boolean; missing: boolean }>((resolve) => {
      let missing = false;
      child.once('error', (error: NodeJS.ErrnoException) => {
        missing = error.code === 'ENOENT';
        if (missing) {
          clearTimeout(timer);
          resolve({ code: null, stdout: Buffer.alloc(0), stderr: error.message, timedOut: false, missing });
        }
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (child.pid) running.delete(child.pid);
        resolve({ code, stdout: Buffer.concat(stdout), stderr: stderr.trim(), timedOut: signal === 'SIGKILL' && !missing, missing });
      });
    });
    return { child, done };
  }

  function kill(pid: number | undefined): void {
    if (!pid) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  const toolMissing = (tool: string, pkg: string) => new MediaToolError('toolMissing', `${tool} is not installed: apt-get install -y ${pkg}`);

  async function synthesize(text: string, voice: string): Promise<Int16Array> {
    stats.syntheses++;
    // The text goes in on stdin: as an argument, a prompt starting with "-" would be read as an option.
    const tts = run(espeak, ['-v', voice, '--stdout'], { text });
    const resample = run(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'wav', '-i', 'pipe:0', ...PCM_OUT], { from: tts.child });
    const [speech, pcm] = await Promise.all([tts.done, resample.done]);
    if (speech.missing) throw toolMissing('espeak-ng', 'espeak-ng');
    if (pcm.missing) throw toolMissing('ffmpeg', 'ffmpeg');
    if (speech.timedOut || pcm.timedOut) throw new MediaToolError('timedOut', `Speech synthesis took longer than ${timeoutMs} ms`);
    if (speech.code !== 0) {
      const reason = /voice does not exist/i.test(speech.stderr) ? 'voiceMissing' : 'synthesisFailed';
      throw new MediaToolError(reason, `espeak-ng could not speak with voice "${voice}" (exit ${speech.code}): ${speech.stderr || 'no message'}`);
    }
    if (pcm.code !== 0) throw new MediaToolError('synthesisFailed', `ffmpeg could not resample espeak-ng's audio (exit ${pcm.code}): ${pcm.stderr}`);
    return toSamples(pcm.stdout);
  }

  async function decode(file: string): Promise<Int16Array> {
    stats.decodes++;
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-vn', '-t', String(maxRecordingSeconds), ...PCM_OUT];
    const result = await run(ffmpeg, args, {}).done;
    if (result.missing) throw toolMissing('ffmpeg', 'ffmpeg');
    if (result.timedOut) throw new MediaToolError('timedOut', `Decoding ${path.basename(file)} took longer than ${timeoutMs} ms`);
    if (result.code !== 0) throw new MediaToolError('decodeFailed', `ffmpeg could not decode ${path.basename(file)} (exit ${result.code}): ${result.stderr}`);
    if (result.stdout.length === 0) throw new MediaToolError('decodeFailed', `${path.basename(file)} has no audio`);
    return toSamples(result.stdout);
  }

  /** The SHA-256 of a file's content, remembered while its size and modification time stay the same. */
  async function contentHash(file: string): Promise<string> {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new MediaToolError('notFound', `No recording at ${file}`);
    const known = fileHashes.get(file);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    const sha = hash.digest('hex');
    fileHashes.set(file, { size: info.size, mtimeMs: info.mtimeMs, sha });
    return sha;
  }

  return {
    stats,
    speak(text, locale) {
      const voice = voices[locale];
      const spoken = text.trim();
      if (!spoken) return Promise.resolve(new Int16Array(0));
      return remember(sha256(['espeak-ng', voice, PIPELINE, spoken]), () => synthesize(spoken, voice));
    },
    async loadRecording(file) {
      const resolved = path.resolve(file);
      const sha = await contentHash(resolved);
      return remember(sha256(['ffmpeg-decode', String(maxRecordingSeconds), PIPELINE, sha]), () => decode(resolved));
    },
    close() {
      for (const pid of running) kill(pid);
      running.clear();
    },
  };
}

const PCM_OUT = ['-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'];

const sha256 = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** Little-endian s16 bytes as samples, in an array that owns its buffer (rtc-node's AudioFrame needs that). */
function toSamples(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.length * 2));
  return samples;
}

let shared: SpeechService | undefined;

/** The process's service, with its cache in MEDIA_CACHE_DIR. */
export function speechService(): SpeechService {
  shared ??= createSpeechService({ cacheDir: path.resolve(env().MEDIA_CACHE_DIR) });
  return shared;
}

/** `text` spoken in `locale`, as 48 kHz mono PCM; rendered once, then served from the cache. */
export const speak = (text: string, locale: SpeechLocale): Promise<Int16Array> => speechService().speak(text, locale);

/** An uploaded recording (any audio ffmpeg reads) as 48 kHz mono PCM, cached like speech. */
export const loadRecording = (file: string): Promise<Int16Array> => speechService().loadRecording(file);
