import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { MENU_FONT_FAMILY, registerMenuFonts } from './fonts';
import { MENU_COLORS, renderMenuFrame, renderWaitingCard, type MenuView } from './menu-frame';

const W = 640;
const H = 360;
const BACKGROUND = [0x0b, 0x1f, 0x33];

const zhMenu: MenuView = {
  locale: 'zh-CN',
  title: '欢迎致电社区复诊门诊',
  prompt: '您好！请根据提示按键选择。如需预约复诊请按一，如需上传血压数据请按二，如需人工服务请按零。',
  options: [
    { digit: '1', label: '预约复诊' },
    { digit: '2', label: '上传血压数据' },
    { digit: '0', label: '人工服务' },
  ],
};

/** Pixels in a rectangle that are not the background colour. */
function ink(frame: Uint8ClampedArray, x0: number, y0: number, x1: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * W + x) * 4;
      if (frame[i] !== BACKGROUND[0] || frame[i + 1] !== BACKGROUND[1] || frame[i + 2] !== BACKGROUND[2]) count++;
    }
  }
  return count;
}

const differing = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

describe('renderMenuFrame', () => {
  it('renders a non-blank 640x360 RGBA frame', () => {
    const frame = renderMenuFrame(zhMenu);
    expect(frame).toBeInstanceOf(Uint8ClampedArray);
    expect(frame.length).toBe(W * H * 4);
    expect(ink(frame, 0, 0, W, H)).toBeGreaterThan(5000);
  });

  it('draws the highlighted option differently, with a filled background', () => {
    const none = renderMenuFrame(zhMenu);
    const two = renderMenuFrame({ ...zhMenu, highlightedDigit: '2' });
    const zero = renderMenuFrame({ ...zhMenu, highlightedDigit: '0' });
    expect(differing(none, two)).toBeGreaterThan(10_000);
    expect(differing(two, zero)).toBeGreaterThan(10_000);
    // The highlight colour covers a large area (a filled row), not just an outline.
    const highlightPixels = (frame: Uint8ClampedArray) => {
      let n = 0;
      for (let i = 0; i < frame.length; i += 4) if (frame[i] === 0xff && frame[i + 1] === 0xd4 && frame[i + 2] === 0x00) n++;
      return n;
    };
    expect(MENU_COLORS.highlight).toBe('#ffd400');
    expect(highlightPixels(none)).toBe(0);
    expect(highlightPixels(two)).toBeGreaterThan(4000);
  });

  it('actually draws Chinese glyphs in the title area (not blanks, not identical missing-glyph boxes)', () => {
    const title = (text: string) => ink(renderMenuFrame({ ...zhMenu, title: text, prompt: '', options: [] }), 0, 0, W, 56);
    expect(title('')).toBe(0);
    const dense = title('鼻鼻鼻鼻');
    const sparse = title('一一一一');
    expect(dense).toBeGreaterThan(1500);
    // Missing-glyph boxes would be the same for every character; real glyphs differ a lot in ink.
    expect(dense).toBeGreaterThan(sparse * 2);
  });

  it('uses the Simplified Chinese forms, not the Japanese face of the font collection', () => {
    registerMenuFonts();
    const glyph = (family: string) => {
      const canvas = createCanvas(120, 120);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 120, 120);
      ctx.fillStyle = '#000';
      ctx.font = `100px "${family}"`;
      ctx.fillText('骨', 10, 100);
      return ctx.getImageData(0, 0, 120, 120).data;
    };
    expect(differing(glyph(MENU_FONT_FAMILY), glyph('Noto Sans CJK JP'))).toBeGreaterThan(500);
  });

  it('keeps long text inside the frame (wrapped, cut with an ellipsis) with nine options in two columns', () => {
    const long: MenuView = {
      locale: 'zh-CN',
      title: '欢迎致电社区复诊门诊，这是一个非常非常长的标题，它不可能在一行里放得下',
      prompt: '请按键选择。'.repeat(40),
      options: ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => ({ digit, label: `选项${digit}：这是一个很长很长很长很长的选项说明文字` })),
      highlightedDigit: '7',
      notice: '没有这个选项，请重新选择。'.repeat(5),
    };
    const english: MenuView = {
      locale: 'en',
      title: 'Welcome to the Riverside Community Clinic follow-up line for patients with hypertension',
      prompt: 'Please listen carefully, as our menu options have changed. '.repeat(10),
      options: ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => ({ digit, label: `Option ${digit}: Supercalifragilisticexpialidocious label` })),
      footer: 'Press star to hear these options again at any time during this call',
    };
    for (const view of [long, english]) {
      const frame = renderMenuFrame(view);
      // The side margins stay empty (except the full-width notice bar at the bottom).
      expect(ink(frame, 0, 0, 20, H - 40)).toBe(0);
      expect(ink(frame, W - 20, 0, W, H - 40)).toBe(0);
      expect(ink(frame, 0, 0, W, H)).toBeGreaterThan(10_000);
    }
  });

  it('renders frames at other sizes', () => {
    const frame = renderMenuFrame(zhMenu, { width: 1280, height: 720 });
    expect(frame.length).toBe(1280 * 720 * 4);
  });

  it('prints the render time of 100 frames', () => {
    renderMenuFrame(zhMenu);
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const start = performance.now();
      renderMenuFrame({ ...zhMenu, highlightedDigit: String(i % 3) });
      times.push(performance.now() - start);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const total = times.reduce((a, b) => a + b, 0);
    console.log(
      `renderMenuFrame 640x360: 100 frames in ${total.toFixed(0)} ms (p50 ${sorted[50]!.toFixed(2)} ms, p90 ${sorted[90]!.toFixed(2)} ms, max ${sorted[99]!.toFixed(2)} ms)`,
    );
    expect(total).toBeLessThan(10_000);
  });
});

describe('renderWaitingCard', () => {
  it('renders a title and lines, centred', () => {
    const frame = renderWaitingCard({ locale: 'zh-CN', title: '请稍候', lines: ['医生马上就来。', '您前面还有 2 位患者。'] });
    expect(frame.length).toBe(W * H * 4);
    expect(ink(frame, 0, 0, W, H)).toBeGreaterThan(2000);
    expect(ink(frame, 0, 0, W, 60)).toBe(0);
    // Centred: about as much ink left of the middle as right of it.
    const left = ink(frame, 0, 0, W / 2, H);
    const right = ink(frame, W / 2, 0, W, H);
    expect(Math.abs(left - right) / (left + right)).toBeLessThan(0.2);
  });
});
