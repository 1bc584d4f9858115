import { VideoBufferType, VideoSource } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { i420Frame, i420Size, rgbaFrame, wrapI420 } from './video-frames';

const W = 64;
const H = 36;

/** Left half red, right half blue. */
function halves(): Uint8ClampedArray {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      data.set(x < W / 2 ? [230, 20, 20, 255] : [20, 20, 230, 255], i);
    }
  }
  return data;
}

describe('video frames', () => {
  it('wraps RGBA without copying when the array owns its buffer', () => {
    const data = halves();
    const frame = rgbaFrame(data, W, H);
    expect(frame.type).toBe(VideoBufferType.RGBA);
    expect(frame.data.buffer).toBe(data.buffer);
  });

  it('copies a view into a larger buffer (the native side reads from the start of the buffer)', () => {
    const big = new Uint8Array(W * H * 4 + 16);
    big.set(halves(), 16);
    const frame = rgbaFrame(big.subarray(16), W, H);
    expect(frame.data.byteOffset).toBe(0);
    expect(frame.data.buffer.byteLength).toBe(W * H * 4);
    expect(Array.from(frame.data.subarray(0, 4))).toEqual([230, 20, 20, 255]);
  });

  it('converts RGBA to I420 with rtc-node and back, keeping the colours', () => {
    const i420 = i420Frame(halves(), W, H);
    expect(i420.type).toBe(VideoBufferType.I420);
    expect(i420.data.length).toBe(i420Size(W, H));
    const back = i420.convert(VideoBufferType.RGBA);
    const pixel = (x: number, y: number) => Array.from(back.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 3));
    const close = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) < 16);
    expect(close(pixel(8, 18), [230, 20, 20])).toBe(true);
    expect(close(pixel(56, 18), [20, 20, 230])).toBe(true);
  });

  it('wraps planar I420 bytes and rejects wrong sizes', () => {
    expect(i420Size(641, 361)).toBe(641 * 361 + 2 * 321 * 181);
    const frame = wrapI420(new Uint8Array(i420Size(W, H)), W, H);
    expect(frame.type).toBe(VideoBufferType.I420);
    expect(() => wrapI420(new Uint8Array(10), W, H)).toThrow(RangeError);
    expect(() => rgbaFrame(new Uint8Array(W * H * 3), W, H)).toThrow(/4 ?|bytes/);
  });

  it('is accepted by VideoSource.captureFrame as RGBA and as I420', async () => {
    const source = new VideoSource(W, H);
    try {
      expect(() => source.captureFrame(rgbaFrame(halves(), W, H))).not.toThrow();
      expect(() => source.captureFrame(i420Frame(halves(), W, H))).not.toThrow();
    } finally {
      await source.close();
    }
  });
});
