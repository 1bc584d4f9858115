// Pixels to rtc-node VideoFrames.
//
// What rtc-node 1.1.0 does (read in node_modules/@livekit/rtc-node/src/video_frame.ts and checked against a real
// LiveKit server): VideoSource.captureFrame takes any VideoBufferType; an RGBA frame is converted to I420 by
// libwebrtc on capture (about 0.1 ms at 640x360), and a subscriber sees the right colours. VideoFrame.convert
// (libyuv, in the native library) converts ahead of time when one frame is sent many times.
//
// One trap: a VideoFrame hands the native side the start of `data.buffer`, not of the view, so a view into a
// larger buffer (a Buffer from the pool, a subarray) would send the wrong bytes. Every frame made here owns its
// buffer from byte 0.
import { VideoBufferType, VideoFrame } from '@livekit/rtc-node';

/** Bytes in an I420 frame: a full-size Y plane and quarter-size U and V planes (odd sizes round up). */
export const i420Size = (width: number, height: number) => width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);

/** An RGBA frame (e.g. from renderMenuFrame) as it is: captureFrame accepts it directly. */
export function rgbaFrame(data: Uint8Array | Uint8ClampedArray, width: number, height: number): VideoFrame {
  expectLength(data, width * height * 4, 'RGBA', width, height);
  return new VideoFrame(ownBuffer(data), width, height, VideoBufferType.RGBA);
}

/** An RGBA frame converted once to I420 with rtc-node's own converter, for a frame that is re-sent many times. */
export function i420Frame(data: Uint8Array | Uint8ClampedArray, width: number, height: number): VideoFrame {
  return rgbaFrame(data, width, height).convert(VideoBufferType.I420);
}

/** Planar I420 bytes (Y, then U, then V), e.g. raw frames from ffmpeg's `-pix_fmt yuv420p -f rawvideo`. */
export function wrapI420(data: Uint8Array, width: number, height: number): VideoFrame {
  expectLength(data, i420Size(width, height), 'I420', width, height);
  return new VideoFrame(ownBuffer(data), width, height, VideoBufferType.I420);
}

function expectLength(data: Uint8Array | Uint8ClampedArray, expected: number, kind: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`Bad frame size ${width}x${height}`);
  if (data.byteLength !== expected) throw new RangeError(`A ${width}x${height} ${kind} frame has ${expected} bytes, not ${data.byteLength}`);
}

/** The same bytes as a Uint8Array that starts at byte 0 of a buffer of exactly its size (copied only if needed). */
function ownBuffer(data: Uint8Array | Uint8ClampedArray): Uint8Array {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return new Uint8Array(data.buffer, 0, data.byteLength);
  return new Uint8Array(data);
}
