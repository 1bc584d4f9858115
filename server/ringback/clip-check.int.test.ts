import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoClips } from '@/scripts/lib/demo-clips.mjs';
import { ClipTranscodeError, inspectClip, transcodeToHouseFormat } from './clip-check';

// Real ffmpeg/ffprobe; every input is generated here.
const dir = mkdtempSync(path.join(os.tmpdir(), 'revisit-clips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(name: string, args: string[]): string {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, file]);
  return file;
}

const video = (seconds: number, size = '320x240') => ['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:d=${seconds}`];
/** VP8 at its fastest setting: these clips only need to exist. */
const vp8 = ['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8'];
const sine = (seconds: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`];

/** The streams and format of a file, as ffprobe reports them. */
function probe(file: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString();
  return JSON.parse(out) as {
    format: { duration: string; format_name: string };
    streams: { codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate?: string; sample_rate?: string; channels?: number }[];
  };
}

describe('inspectClip', () => {
  it('accepts MP4 and WebM with a picture, with its size, duration and whether it has sound', async () => {
    const mp4 = ffmpeg('ok.mp4', [...video(3), ...sine(3), '-c:v', 'libx264', '-c:a', 'aac', '-shortest']);
    expect(await inspectClip(mp4)).toEqual({ ok: true, durationSeconds: expect.closeTo(3, 0), width: 320, height: 240, hasAudio: true });

    const webm = ffmpeg('silent.webm', [...video(2, '352x288'), ...vp8]);
    expect(await inspectClip(webm)).toEqual({ ok: true, durationSeconds: expect.closeTo(2, 0), width: 352, height: 288, hasAudio: false });
  });

  it('reads the duration of a WebM written as a stream (as browsers record them: no duration in the header)', async () => {
    const file = path.join(dir, 'recorded.webm');
    const bytes = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...video(2), '-c:v', 'libvpx', '-b:v', '200k', '-f', 'webm', 'pipe:1']);
    writeFileSync(file, bytes);
    const result = await inspectClip(file);
    expect(result).toMatchObject({ ok: true, width: 320, height: 240 });
    expect(result.ok && result.durationSeconds).toBeGreaterThan(1.8);
  });

  it('rejects what is not an MP4 or WebM video, with a reason and a message', async () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'hello');
    expect(await inspectClip(text)).toEqual({ ok: false, reason: 'notAVideo', message: expect.any(String) });
    expect(await inspectClip(path.join(dir, 'missing.mp4'))).toMatchObject({ ok: false, reason: 'notAVideo' });
    expect(await inspectClip(ffmpeg('photo.png', [...video(1), '-frames:v', '1']))).toMatchObject({ ok: false, reason: 'notAVideo' });
    expect(await inspectClip(ffmpeg('sound.m4a', [...sine(2), '-c:a', 'aac']))).toMatchObject({ ok: false, reason: 'noVideoTrack' });
    expect(await inspectClip(ffmpeg('sound.mp3', [...sine(2)]))).toMatchObject({ ok: false, reason: 'noVideoTrack' });
    expect(await inspectClip(ffmpeg('clip.avi', [...video(1), '-c:v', 'mpeg4']))).toMatchObject({ ok: false, reason: 'unsupportedFormat' });
    expect(await inspectClip(ffmpeg('clip.mkv', [...video(1), '-c:v', 'libx264']))).toMatchObject({ ok: false, reason: 'unsupportedFormat' });
    expect(await inspectClip(ffmpeg('clip.mov', [...video(1), '-c:v', 'libx264']))).toMatchObject({ ok: false, reason: 'unsupportedFormat' });

    const long = ffmpeg('long.mp4', [...video(4, '160x120'), '-c:v', 'libx264']);
    expect(await inspectClip(long, { maxSeconds: 3 })).toMatchObject({ ok: false, reason: 'tooLong', message: expect.stringContaining('10 minutes') });
    expect(await inspectClip(long, { maxBytes: 1000 })).toMatchObject({ ok: false, reason: 'tooLarge' });
  });
});

describe('transcodeToHouseFormat', () => {
  it('makes a 640x360 15 fps H.264/AAC 48 kHz mono faststart MP4, letterboxed, with progress', async () => {
    const input = ffmpeg('portrait.webm', [...video(3, '240x320'), ...sine(3), ...vp8, '-c:a', 'libopus', '-shortest']);
    const output = path.join(dir, 'house.mp4');
    const progress: number[] = [];
    await transcodeToHouseFormat(input, output, { onProgress: (f) => progress.push(f) });

    const result = probe(output);
    const v = result.streams.find((s) => s.codec_type === 'video')!;
    const a = result.streams.find((s) => s.codec_type === 'audio')!;
    expect(v).toMatchObject({ codec_name: 'h264', width: 640, height: 360, r_frame_rate: '15/1' });
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 1 });
    expect(Number(result.format.duration)).toBeCloseTo(3, 0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > progress[i - 1]!))).toBe(true);

    // Letterboxed: a portrait picture leaves black bars left and right.
    const frame = execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      output,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ]);
    const luma = (x: number, y: number) => frame[y * 640 + x]!;
    expect(luma(20, 180)).toBeLessThan(20);
    expect(luma(620, 180)).toBeLessThan(20);
    expect(frame.subarray(180 * 640 + 250, 180 * 640 + 390).some((l) => l > 40)).toBe(true);

    // faststart: the index (moov) comes before the media data (mdat).
    const head = execFileSync('head', ['-c', '4096', output]).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
  });

  it('adds a silent track to a clip without sound, and refuses a file that is not a clip', async () => {
    const input = ffmpeg('mute.mp4', [...video(2), '-c:v', 'libx264']);
    const output = path.join(dir, 'mute-house.mp4');
    await transcodeToHouseFormat(input, output);
    const audio = probe(output).streams.find((s) => s.codec_type === 'audio');
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 1 });
    expect(Number(probe(output).format.duration)).toBeCloseTo(2, 0);
    expect(await inspectClip(output)).toMatchObject({ ok: true, hasAudio: true });

    const text = path.join(dir, 'not-a-clip.txt');
    writeFileSync(text, 'hello');
    await expect(transcodeToHouseFormat(text, path.join(dir, 'never.mp4'))).rejects.toBeInstanceOf(ClipTranscodeError);
  });

  it('stops ffmpeg when cancelled, leaving no file', async () => {
    const input = ffmpeg('longer.mp4', [...video(20, '640x480'), '-c:v', 'libx264', '-preset', 'ultrafast']);
    const output = path.join(dir, 'cancelled.mp4');
    const controller = new AbortController();
    const running = transcodeToHouseFormat(input, output, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(running).rejects.toThrow(/cancelled/);
    expect(() => statSync(output)).toThrow();
  });
});

describe('generateDemoClips', () => {
  it('makes two house-format demo clips once, and keeps them on a second run', async () => {
    const demo = path.join(dir, 'demo');
    const started = performance.now();
    const files = await generateDemoClips(demo);
    console.log(`generateDemoClips: ${files.length} clips in ${(performance.now() - started).toFixed(0)} ms`);
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(await inspectClip(file)).toEqual({ ok: true, durationSeconds: expect.closeTo(20, 0), width: 640, height: 360, hasAudio: true });
    }
    const modified = files.map((f) => statSync(f).mtimeMs);
    await generateDemoClips(demo);
    expect(files.map((f) => statSync(f).mtimeMs)).toEqual(modified);
  });
});
