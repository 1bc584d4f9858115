import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VideoBufferType, type AudioFrame, type VideoFrame } from '@livekit/rtc-node';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllSharedClips, sharedClip, type ClipSubscriber } from './shared-clip';

const dir = mkdtempSync(path.join(os.tmpdir(), 'revisit-shared-clip-'));
afterAll(async () => {
  await closeAllSharedClips();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Received = { video: { at: number; frame: VideoFrame }[]; audio: { at: number; frame: AudioFrame }[] };

function recorder(): Received & ClipSubscriber {
  const received: Received = { video: [], audio: [] };
  return {
    ...received,
    onVideo: (frame) => received.video.push({ at: performance.now(), frame }),
    onAudio: (frame) => received.audio.push({ at: performance.now(), frame }),
  };
}

/**
 * Frames per second over the whole run. Not the median interval: pictures go out on the 20 ms audio tick, so a 66.7 ms
 * frame interval is sent as 60, 60 and 80 ms, and the median interval (60 ms, "16.7 fps") says nothing of the rate.
 */
const meanFps = (times: number[]) => ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!);

describe('shared clip (one real ffmpeg per clip)', () => {
  it('fans the same frames out to two subscribers at 15 fps, loops, and stops ffmpeg after the last one leaves', async () => {
    const clipFile = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=3', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=3'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clipFile],
    ]);
    const clip = sharedClip(clipFile, { lingerMs: 300 });
    expect(sharedClip(clipFile)).toBe(clip);

    const a = recorder();
    const b = recorder();
    const leaveA = clip.subscribe(a);
    const leaveB = clip.subscribe(b);
    const cpuStart = process.cpuUsage();
    await sleep(1500);
    const pid = clip.pid!;
    expect(pid).toBeGreaterThan(0);
    const ffmpegCpuAt = cpuSeconds(pid);
    const wallAt = performance.now();

    // A late joiner gets the current picture at once.
    const c = recorder();
    const leaveC = clip.subscribe(c);
    expect(c.video).toHaveLength(1);
    await sleep(3000); // past the end of the 3 s clip: it loops
    const ffmpegCpu = (cpuSeconds(pid) - ffmpegCpuAt) / ((performance.now() - wallAt) / 1000);
    const nodeCpu = process.cpuUsage(cpuStart);
    console.log(
      `shared-clip: ffmpeg uses ${(ffmpegCpu * 100).toFixed(1)}% of a core decoding 320x240 -> 640x360 at 15 fps; ` +
        `this process ${((nodeCpu.user + nodeCpu.system) / 1000 / 4.5 / 10).toFixed(1)}% for three subscribers`,
    );

    expect(clip.stats.starts).toBe(1);
    expect(a.video.length).toBeGreaterThan(55);
    // The very same frame objects, in the same order: decoded once.
    expect(b.video).toHaveLength(a.video.length);
    expect(a.video.every((v, i) => v.frame === b.video[i]!.frame)).toBe(true);
    expect(b.audio).toHaveLength(a.audio.length);
    expect(a.audio.every((v, i) => v.frame === b.audio[i]!.frame)).toBe(true);
    const first = a.video[0]!.frame;
    expect(first).toMatchObject({ width: 640, height: 360, type: VideoBufferType.I420 });
    const fps = meanFps(a.video.map((v) => v.at));
    expect(fps).toBeGreaterThan(13.5);
    expect(fps).toBeLessThan(16.5);
    // No stall at the loop point (or anywhere): the largest gap between pictures stays small.
    const gaps = a.video.slice(1).map((v, i) => v.at - a.video[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(250);
    // The picture moves (testsrc2 animates); letterboxed: the left and right bars are black (Y = 16).
    const last = a.video.at(-1)!.frame.data;
    expect(Buffer.compare(first.data, last)).not.toBe(0);
    expect(last[180 * 640 + 10]).toBeLessThan(24);
    expect(last[180 * 640 + 320]).toBeGreaterThan(24);

    // Audio: 20 ms frames at 48 kHz, about 50 a second, audible; it runs slightly ahead of the picture.
    const audioSeconds = a.audio.length / 50;
    const videoSeconds = a.video.length / 15;
    expect(Math.abs(audioSeconds - videoSeconds)).toBeLessThan(0.4);
    expect(a.audio.every(({ frame }) => frame.sampleRate === 48_000 && frame.channels === 1 && frame.samplesPerChannel === 960)).toBe(true);
    const samples = a.audio.slice(10).flatMap(({ frame }) => Array.from(frame.data));
    const rms = Math.sqrt(samples.reduce((sum, s) => sum + (s / 32768) ** 2, 0) / samples.length);
    expect(rms).toBeGreaterThan(0.01);
    expect(a.audio[0]!.at).toBeLessThanOrEqual(a.video[0]!.at + 50);

    leaveA();
    leaveB();
    expect(alive(pid)).toBe(true);
    leaveC();
    await sleep(300 + 1500);
    expect(clip.pid).toBeNull();
    expect(alive(pid)).toBe(false);
    const frames = a.video.length;
    await sleep(200);
    expect(a.video.length).toBe(frames);

    // Coming back starts a new decoder.
    const d = recorder();
    const leaveD = clip.subscribe(d);
    await sleep(800);
    expect(d.video.length).toBeGreaterThan(3);
    expect(clip.stats.starts).toBe(2);
    const secondPid = clip.pid!;
    leaveD();
    await closeAllSharedClips();
    expect(alive(secondPid)).toBe(false);
  });

  it('tells subscribers when the clip cannot be played', async () => {
    const broken = path.join(dir, 'broken.mp4');
    execFileSync('sh', ['-c', `head -c 20000 /dev/urandom > ${broken}`]);
    const errors: Error[] = [];
    const clip = sharedClip(broken, { lingerMs: 100 });
    clip.subscribe({ onVideo: () => {}, onAudio: () => {}, onError: (e) => errors.push(e) });
    const deadline = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < deadline) await sleep(100);
    expect(errors[0]?.message).toMatch(/broken\.mp4 cannot be played/);
    expect(clip.pid).toBeNull();
  });
});
