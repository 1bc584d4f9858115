import {
  LocalVideoTrack,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoSource,
  VideoStream,
  type RemoteTrack,
  type VideoFrame,
} from '@livekit/rtc-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testRooms } from '@/server/testing/livekit-rooms';
import { renderMenuFrame, type MenuView } from './menu-frame';
import { rgbaFrame } from './video-frames';
import { createVideoOut } from './video-out';

const W = 640;
const H = 360;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const menu: MenuView = {
  locale: 'zh-CN',
  title: '欢迎致电社区复诊门诊',
  prompt: '请按键选择。',
  options: [
    { digit: '1', label: '预约复诊' },
    { digit: '2', label: '上传血压数据' },
    { digit: '0', label: '人工服务' },
  ],
};

describe('video out (a real rtc-node VideoSource)', () => {
  it('re-sends the provider frame at the frame rate, sends nothing for null, and stops on close', async () => {
    const source = new VideoSource(W, H);
    const capture = vi.spyOn(source, 'captureFrame');
    try {
      const out = createVideoOut(source, 15);
      await sleep(300);
      expect(capture).not.toHaveBeenCalled();

      const frame = rgbaFrame(renderMenuFrame(menu), W, H);
      const asked: number[] = [];
      const provider = vi.fn(() => {
        asked.push(performance.now());
        return frame;
      });
      out.setProvider(provider);
      const cpuBefore = process.cpuUsage();
      await sleep(2000);
      const cpu = process.cpuUsage(cpuBefore);
      const sent = capture.mock.calls.length;
      // Ticks sit on a fixed grid: a late tick (the menu was just rendered) is followed by a quicker one.
      const intervals = asked.slice(1).map((t, i) => t - asked[i]!);
      const fps = 1000 / intervals.sort((a, b) => a - b)[Math.floor(intervals.length / 2)]!;
      console.log(`video-out: ${sent} frames at ${fps.toFixed(2)} fps, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU in 2 s`);
      expect(fps).toBeGreaterThan(14);
      expect(fps).toBeLessThan(16);
      expect(sent).toBeGreaterThanOrEqual(25);
      expect(out.framesSent).toBe(sent);
      expect(capture.mock.calls.every(([sentFrame]) => sentFrame === frame)).toBe(true);

      out.setProvider(() => null);
      await sleep(200);
      const afterNull = capture.mock.calls.length;
      await sleep(300);
      expect(capture.mock.calls.length).toBe(afterNull);

      out.setProvider(provider);
      out.close();
      const atClose = capture.mock.calls.length;
      await sleep(300);
      expect(capture.mock.calls.length).toBe(atClose);
    } finally {
      await source.close();
    }
  });
});

describe('video out through a real LiveKit server', () => {
  // A room of this file's own on the test stack's LiveKit server.
  const { join, leaveAll } = testRooms(`video-out-${process.pid}`);
  afterAll(leaveAll);

  /** Whether a received frame shows the highlight colour (a filled option row) anywhere. */
  function highlightedRows(frame: VideoFrame): number[] {
    const rgba = frame.convert(VideoBufferType.RGBA);
    const rows = new Set<number>();
    for (let y = 0; y < rgba.height; y += 2) {
      for (let x = 0; x < rgba.width; x += 4) {
        const i = (y * rgba.width + x) * 4;
        const [r, g, b] = [rgba.data[i]!, rgba.data[i + 1]!, rgba.data[i + 2]!];
        if (r > 220 && g > 180 && g < 235 && b < 60) rows.add(Math.floor((y / rgba.height) * 10));
      }
    }
    return [...rows];
  }

  it('shows the menu to a subscriber (RGBA captured directly), and a new highlight when it changes', async () => {
    const viewer = await join('viewer');
    const frames: { at: number; frame: VideoFrame }[] = [];
    viewer.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_VIDEO) return;
      void (async () => {
        const reader = new VideoStream(track).getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) frames.push({ at: performance.now(), frame: read.value.frame });
      })();
    });

    const agent = await join('agent');
    const source = new VideoSource(W, H);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_CAMERA;
    options.simulcast = false;
    await agent.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('menu', source), options);
    let current = rgbaFrame(renderMenuFrame({ ...menu, highlightedDigit: '1' }), W, H);
    const out = createVideoOut(source, 15);
    out.setProvider(() => current);
    try {
      const deadline = Date.now() + 10_000;
      while (frames.filter((f) => f.frame.width === W).length < 30 && Date.now() < deadline) await sleep(100);
      const full = frames.filter((f) => f.frame.width === W);
      expect(full.length).toBeGreaterThanOrEqual(30);
      const first = highlightedRows(full.at(-1)!.frame);
      expect(first.length).toBeGreaterThan(0);

      const changedAt = performance.now();
      current = rgbaFrame(renderMenuFrame({ ...menu, highlightedDigit: '0' }), W, H);
      await sleep(1500);
      const later = frames.filter((f) => f.at > changedAt + 1000 && f.frame.width === W);
      expect(later.length).toBeGreaterThan(5);
      const fps = later.length / ((later.at(-1)!.at - later[0]!.at) / 1000);
      console.log(`video-out: subscriber receives ${fps.toFixed(1)} fps`);
      const second = highlightedRows(later.at(-1)!.frame);
      expect(second.length).toBeGreaterThan(0);
      // The highlight moved down (option 0 is the third row).
      expect(Math.min(...second)).toBeGreaterThan(Math.min(...first));
    } finally {
      out.close();
      await source.close();
    }
  }, 30_000);
});
