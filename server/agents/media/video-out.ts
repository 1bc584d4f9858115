// A paced video loop: every tick it asks the provider for the frame to show and captures it into the VideoSource.
//
// The provider returns the same VideoFrame object until the picture changes (a menu is rendered once per change,
// never per tick); re-sending it keeps the track alive, lets a subscriber who just joined get a picture as soon as
// its keyframe request arrives, and costs one native call (no pixels are touched in JavaScript). A null frame
// sends nothing: subscribers keep the last picture.
import type { VideoFrame, VideoSource } from '@livekit/rtc-node';

export type FrameProvider = () => VideoFrame | null;

export type VideoOut = {
  setProvider(provider: FrameProvider | null): void;
  /** Frames captured so far (for tests and metrics). */
  readonly framesSent: number;
  close(): void;
};

export function createVideoOut(source: VideoSource, fps = 15, options: { onError?: (error: unknown) => void } = {}): VideoOut {
  if (!(fps > 0 && fps <= 60)) throw new RangeError(`fps must be between 0 and 60, not ${fps}`);
  const interval = 1000 / fps;
  let provider: FrameProvider | null = null;
  let framesSent = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = performance.now();
  let tick = 0;

  function schedule(): void {
    // Ticks are placed on a fixed grid from the start, so timer lateness does not add up into a lower frame rate.
    tick = Math.max(tick + 1, Math.floor((performance.now() - start) / interval));
    timer = setTimeout(send, Math.max(0, start + tick * interval - performance.now()));
  }

  function send(): void {
    if (closed) return;
    try {
      const frame = provider?.() ?? null;
      if (frame && !source.closed) {
        source.captureFrame(frame);
        framesSent++;
      }
    } catch (error) {
      // A broken provider must not end the call: the loop goes on and the next tick tries again.
      (options.onError ?? ((e) => console.error('video-out: the frame could not be sent', e)))(error);
    }
    if (source.closed) closed = true;
    else schedule();
  }

  schedule();

  return {
    get framesSent() {
      return framesSent;
    },
    setProvider(next) {
      provider = next;
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
