import { AudioSource, AudioStream, LocalAudioTrack, RoomEvent, TrackKind, TrackPublishOptions, TrackSource, type RemoteTrack } from '@livekit/rtc-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testRooms } from '@/server/testing/livekit-rooms';
import { createAudioOut } from './audio-out';

const RATE = 48_000;

/** A sine tone at about a third of full scale. */
function tone(seconds: number, frequency = 440): Int16Array {
  const samples = new Int16Array(Math.round(seconds * RATE));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(10_000 * Math.sin((2 * Math.PI * frequency * i) / RATE));
  return samples;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audio out (a real rtc-node AudioSource)', () => {
  it('plays a prompt in real time and resolves done when it has been played out', async () => {
    const source = new AudioSource(RATE, 1);
    const capture = vi.spyOn(source, 'captureFrame');
    try {
      const out = createAudioOut(source);
      const started = performance.now();
      expect(await out.play(tone(1.5))).toBe('done');
      const took = performance.now() - started;
      expect(took).toBeGreaterThan(1450);
      expect(took).toBeLessThan(1900);
      expect(capture).toHaveBeenCalledTimes(75);
      expect(capture.mock.calls.every(([frame]) => frame.samplesPerChannel === 960 && frame.data.buffer.byteLength === 1920)).toBe(true);

      // Between plays nothing is sent.
      await sleep(300);
      expect(capture).toHaveBeenCalledTimes(75);
    } finally {
      await source.close();
    }
  });

  it('stops within 20 ms (stop, an abort signal, or a new play) and drops what was queued', async () => {
    const source = new AudioSource(RATE, 1);
    const clear = vi.spyOn(source, 'clearQueue');
    try {
      const out = createAudioOut(source);
      const playing = out.play(tone(3));
      await sleep(400);
      expect(out.playing).toBe(true);
      const stopAt = performance.now();
      out.stop();
      expect(await playing).toBe('stopped');
      const stoppedIn = performance.now() - stopAt;
      console.log(`audio-out: play() resolved ${stoppedIn.toFixed(1)} ms after stop()`);
      expect(stoppedIn).toBeLessThan(20);
      expect(clear).toHaveBeenCalled();
      expect(source.queuedDuration).toBe(0);
      expect(out.playing).toBe(false);

      const controller = new AbortController();
      const aborted = out.play(tone(3), { signal: controller.signal });
      await sleep(100);
      controller.abort();
      expect(await aborted).toBe('stopped');

      const first = out.play(tone(3));
      await sleep(100);
      const second = out.play(tone(0.2));
      expect(await first).toBe('stopped');
      expect(await second).toBe('done');
    } finally {
      await source.close();
    }
  });
});

describe('audio out through a real LiveKit server', () => {
  // A room of this file's own on the test stack's LiveKit server.
  const { join, leaveAll } = testRooms(`audio-out-${process.pid}`);
  afterAll(leaveAll);

  it('is heard by a subscriber, and falls silent when stopped', async () => {
    const listener = await join('listener');
    const received: { at: number; rms: number }[] = [];
    listener.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_AUDIO) return;
      void (async () => {
        const reader = new AudioStream(track, { sampleRate: RATE, numChannels: 1 }).getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          const frame = read.value;
          let sum = 0;
          for (const s of frame.data) sum += (s / 32768) ** 2;
          received.push({ at: performance.now(), rms: Math.sqrt(sum / frame.data.length) });
        }
      })();
    });

    const agent = await join('agent');
    const source = new AudioSource(RATE, 1);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await agent.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('prompt', source), options);
    const out = createAudioOut(source);
    try {
      await sleep(1000); // subscription and ICE
      const playing = out.play(tone(4));
      await sleep(1500);
      const stoppedAt = performance.now();
      out.stop();
      expect(await playing).toBe('stopped');
      await sleep(800);

      const loud = received.filter((r) => r.at > stoppedAt - 700 && r.at < stoppedAt - 100);
      const after = received.filter((r) => r.at > stoppedAt + 300);
      expect(loud.length).toBeGreaterThan(20);
      expect(loud.every((r) => r.rms > 0.05)).toBe(true);
      // After the stop (and the network's jitter buffer) the subscriber hears silence.
      expect(after.every((r) => r.rms < 0.01)).toBe(true);
      const lastLoud = received.filter((r) => r.rms > 0.01).at(-1)!;
      console.log(`audio-out: the subscriber's last audible frame came ${(lastLoud.at - stoppedAt).toFixed(0)} ms after stop()`);
    } finally {
      await source.close();
    }
  }, 30_000);
});
