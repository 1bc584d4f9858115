// Plays PCM (prompts, recordings) into an rtc-node AudioSource in real time, and stops at once on a key press.
//
// How rtc-node 1.1.0 behaves (its audio_source.ts, and libwebrtc's InternalSource in LiveKit's webrtc-sys): the
// native source keeps a queue (AudioSource's queueSize, 1000 ms by default) and a 10 ms task hands one buffered
// frame to WebRTC per tick; captureFrame returns at once while the queue is below queueSize. clearQueue()
// empties the native queue, so the next tick sends nothing: that is what makes stop() immediate, whatever the
// lead. When nothing is buffered the task sends nothing: between plays no audio goes out, and receivers (browsers,
// LiveKit's SIP bridge, which mixes into its own continuous RTP stream) hear silence. Pushing digital silence
// instead would cost a hundred native calls a second per call for the same result, so play() sends only audio.
//
// play() keeps at most `leadMs` of audio queued ahead of real time: enough to ride over a busy event loop (many
// calls in one worker), little enough to hold only a fraction of a prompt in memory. Frames are 20 ms (the native
// side splits them into its 10 ms ticks): half the calls from JavaScript for the same sound.
import { AudioFrame, type AudioSource } from '@livekit/rtc-node';

export type PlayResult = 'done' | 'stopped';

export type AudioOut = {
  /** Plays `pcm` (mono, at the source's sample rate); a play already running is stopped first. */
  play(pcm: Int16Array, options?: { signal?: AbortSignal }): Promise<PlayResult>;
  /** Stops the current play: the queued audio is dropped and play() resolves 'stopped'. */
  stop(): void;
  readonly playing: boolean;
};

const FRAME_MS = 20;

type Run = { stopped: boolean; wake: () => void };

export function createAudioOut(source: AudioSource, options: { leadMs?: number } = {}): AudioOut {
  const leadMs = options.leadMs ?? 200;
  const samplesPerFrame = (source.sampleRate / 1000) * FRAME_MS;
  if (source.numChannels !== 1 || !Number.isInteger(samplesPerFrame)) {
    throw new RangeError(`createAudioOut takes a mono source at a multiple of 100 Hz, not ${source.numChannels} channels at ${source.sampleRate} Hz`);
  }
  let current: Run | null = null;

  function halt(run: Run): void {
    if (run.stopped) return;
    run.stopped = true;
    if (!source.closed) source.clearQueue();
    run.wake();
  }

  /** Waits `ms`, or less when the run is stopped meanwhile. */
  function pause(run: Run, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      run.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  return {
    get playing() {
      return current !== null;
    },

    stop() {
      if (current) halt(current);
    },

    async play(pcm, { signal } = {}) {
      if (current) halt(current);
      if (signal?.aborted) return 'stopped';
      const run: Run = { stopped: false, wake: () => {} };
      current = run;
      const onAbort = () => halt(run);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const start = performance.now();
        let sentMs = 0;
        for (let offset = 0; offset < pcm.length && !run.stopped; offset += samplesPerFrame) {
          const ahead = sentMs - (performance.now() - start);
          if (ahead > leadMs) await pause(run, ahead - leadMs);
          if (run.stopped || source.closed) break;
          // Each frame owns its buffer (rtc-node passes the start of `data.buffer` to the native side); the last one
          // is padded with silence to a whole frame.
          const samples = new Int16Array(samplesPerFrame);
          samples.set(pcm.subarray(offset, offset + samplesPerFrame));
          await source.captureFrame(new AudioFrame(samples, source.sampleRate, 1, samplesPerFrame));
          sentMs += FRAME_MS;
        }
        // 'done' once the last frame has left the queue, i.e. has been played out.
        const left = sentMs - (performance.now() - start);
        if (!run.stopped && left > 0) await pause(run, left);
        return run.stopped || source.closed ? 'stopped' : 'done';
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (current === run) current = null;
      }
    },
  };
}
