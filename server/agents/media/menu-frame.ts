// Video IVR frames: the menu a caller sees on a phone screen, drawn with Skia into RGBA pixels.
//
// Sizes are for a 640x360 frame watched on a phone (the smallest type is 20 px, options at least 26 px); other
// frame sizes scale the whole layout. Rendering happens only when the menu changes: the video loop re-sends the
// same frame object until then.
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { MENU_FONT_FAMILY, registerMenuFonts } from './fonts';

export type MenuLocale = 'en' | 'zh-CN';
export type FrameSize = { width: number; height: number };

export type MenuView = {
  locale: MenuLocale;
  title: string;
  prompt: string;
  options: { digit: string; label: string }[];
  highlightedDigit?: string | null;
  /** A short message in a bar at the bottom, e.g. "That is not an option"; shown instead of the footer. */
  notice?: string | null;
  footer?: string | null;
};

export type WaitingCardView = { locale: MenuLocale; title: string; lines: string[] };

export const DEFAULT_FRAME_SIZE: FrameSize = { width: 640, height: 360 };

/** High-contrast palette: white on deep navy (about 16:1), navy on yellow for the highlighted option. */
export const MENU_COLORS = {
  background: '#0b1f33',
  text: '#ffffff',
  muted: '#d0dbe6',
  badge: '#2a5f93',
  highlight: '#ffd400',
  onHighlight: '#0b1f33',
  notice: '#ffb020',
  onNotice: '#1a1000',
} as const;

// Layout in 640x360 units (multiplied by the frame's scale).
const MARGIN_X = 24;
const TOP = 14;
const TITLE_PX = 32;
const TITLE_HEIGHT = 44;
const PROMPT_PX = 24;
const PROMPT_LINE = 30;
const GAP = 8;
const OPTION_PX = 28;
const OPTION_MIN_PX = 26;
const ROW_MAX = 44;
const ROW_MIN = 34;
const COLUMN_GAP = 16;
const BAR_HEIGHT = 36;
const BAR_PX = 22;
const FOOTER_PX = 20;
const ELLIPSIS = '…';

const canvases = new Map<string, Canvas>();

function contextFor(size: FrameSize): SKRSContext2D {
  registerMenuFonts();
  const key = `${size.width}x${size.height}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    canvas = createCanvas(size.width, size.height);
    canvases.set(key, canvas);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = MENU_COLORS.background;
  ctx.fillRect(0, 0, size.width, size.height);
  return ctx;
}

const font = (px: number, weight: 'normal' | 'bold' = 'normal') => `${weight} ${px}px "${MENU_FONT_FAMILY}"`;

/** The menu as RGBA pixels (width * height * 4 bytes, a fresh array each call). */
export function renderMenuFrame(view: MenuView, size: FrameSize = DEFAULT_FRAME_SIZE): Uint8ClampedArray {
  const ctx = contextFor(size);
  const scale = Math.min(size.width / 640, size.height / 360);
  ctx.scale(scale, scale);
  const width = size.width / scale;
  const height = size.height / scale;
  const inner = width - 2 * MARGIN_X;

  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillStyle = MENU_COLORS.text;
  ctx.font = font(TITLE_PX, 'bold');
  ctx.fillText(fitLine(ctx, clean(view.title), inner), MARGIN_X, TOP + TITLE_HEIGHT / 2);

  const bottomText = view.notice?.trim() || view.footer?.trim() || '';
  const bottomHeight = bottomText ? BAR_HEIGHT : 0;
  const top = TOP + TITLE_HEIGHT + GAP / 2;
  const available = height - top - bottomHeight - GAP;

  // Options first: they are what the caller acts on. The prompt gets what is left (at least one line).
  const count = Math.min(view.options.length, 10);
  const columns = count > 4 ? 2 : 1;
  const rows = Math.ceil(count / columns);
  ctx.font = font(PROMPT_PX);
  const promptLines = wrapText(ctx, view.prompt, inner, view.locale);
  const wantedPrompt = promptLines.length * PROMPT_LINE + (promptLines.length ? GAP : 0);
  const rowHeight = rows ? clamp((available - wantedPrompt) / rows, ROW_MIN, ROW_MAX) : 0;
  const optionsHeight = rows * rowHeight;
  const promptRoom = Math.max(0, Math.floor((available - optionsHeight - GAP) / PROMPT_LINE));
  const shownPrompt = limitLines(ctx, promptLines, Math.max(promptLines.length ? 1 : 0, promptRoom), inner);

  ctx.fillStyle = MENU_COLORS.muted;
  shownPrompt.forEach((line, i) => ctx.fillText(line, MARGIN_X, top + PROMPT_LINE * i + PROMPT_LINE / 2));

  const optionsTop = top + (shownPrompt.length ? shownPrompt.length * PROMPT_LINE + GAP : 0);
  const columnWidth = (inner - (columns - 1) * COLUMN_GAP) / columns;
  const optionPx = rowHeight >= OPTION_PX + 10 ? OPTION_PX : OPTION_MIN_PX;
  view.options.slice(0, count).forEach((option, i) => {
    // Column-major: 1-5 down the left, 6-9 down the right, as a keypad menu is read.
    const column = Math.floor(i / rows);
    const row = i % rows;
    const x = MARGIN_X + column * (columnWidth + COLUMN_GAP);
    const y = optionsTop + row * rowHeight;
    drawOption(ctx, option, option.digit === view.highlightedDigit, { x, y, width: columnWidth, height: rowHeight - 4, px: optionPx });
  });

  if (bottomText) drawBottomBar(ctx, bottomText, Boolean(view.notice?.trim()), { width, height });
  return ctx.getImageData(0, 0, size.width, size.height).data;
}

/** A plain card (an audio-only call, or idle between clips): a title and a few lines, centred. */
export function renderWaitingCard(view: WaitingCardView, size: FrameSize = DEFAULT_FRAME_SIZE): Uint8ClampedArray {
  const ctx = contextFor(size);
  const scale = Math.min(size.width / 640, size.height / 360);
  ctx.scale(scale, scale);
  const width = size.width / scale;
  const height = size.height / scale;
  const inner = width - 2 * MARGIN_X;
  const titleLine = 48;
  const line = 34;

  ctx.font = font(26);
  const maxBodyLines = Math.floor((height - 2 * TOP - titleLine - GAP) / line);
  const body = limitLines(
    ctx,
    view.lines.flatMap((text) => wrapText(ctx, text, inner, view.locale)),
    maxBodyLines,
    inner,
  );
  const blockHeight = titleLine + (body.length ? GAP + body.length * line : 0);
  let y = Math.max(TOP, (height - blockHeight) / 2);

  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  ctx.fillStyle = MENU_COLORS.text;
  ctx.font = font(36, 'bold');
  ctx.fillText(fitLine(ctx, clean(view.title), inner), width / 2, y + titleLine / 2);
  y += titleLine + GAP;
  ctx.fillStyle = MENU_COLORS.muted;
  ctx.font = font(26);
  for (const text of body) {
    ctx.fillText(text, width / 2, y + line / 2);
    y += line;
  }
  return ctx.getImageData(0, 0, size.width, size.height).data;
}

type Box = { x: number; y: number; width: number; height: number; px: number };

function drawOption(ctx: SKRSContext2D, option: { digit: string; label: string }, highlighted: boolean, box: Box): void {
  const badge = box.height;
  if (highlighted) {
    ctx.fillStyle = MENU_COLORS.highlight;
    roundRect(ctx, box.x, box.y, box.width, box.height, 8);
  }
  ctx.fillStyle = highlighted ? MENU_COLORS.onHighlight : MENU_COLORS.badge;
  roundRect(ctx, box.x, box.y, badge, badge, 8);

  const middle = box.y + box.height / 2;
  ctx.font = font(box.px, 'bold');
  ctx.textAlign = 'center';
  ctx.fillStyle = highlighted ? MENU_COLORS.highlight : MENU_COLORS.text;
  ctx.fillText(fitLine(ctx, option.digit.trim(), badge - 4), box.x + badge / 2, middle);

  ctx.textAlign = 'left';
  ctx.font = font(box.px, highlighted ? 'bold' : 'normal');
  ctx.fillStyle = highlighted ? MENU_COLORS.onHighlight : MENU_COLORS.text;
  const labelX = box.x + badge + 10;
  ctx.fillText(fitLine(ctx, clean(option.label), box.x + box.width - labelX - 8), labelX, middle);
}

function drawBottomBar(ctx: SKRSContext2D, text: string, isNotice: boolean, frame: { width: number; height: number }): void {
  const y = frame.height - BAR_HEIGHT;
  ctx.textAlign = 'center';
  if (isNotice) {
    ctx.fillStyle = MENU_COLORS.notice;
    ctx.fillRect(0, y, frame.width, BAR_HEIGHT);
    ctx.fillStyle = MENU_COLORS.onNotice;
    ctx.font = font(BAR_PX, 'bold');
  } else {
    ctx.fillStyle = MENU_COLORS.muted;
    ctx.font = font(FOOTER_PX);
  }
  ctx.fillText(fitLine(ctx, clean(text), frame.width - 2 * MARGIN_X), frame.width / 2, y + BAR_HEIGHT / 2);
  ctx.textAlign = 'left';
}

function roundRect(ctx: SKRSContext2D, x: number, y: number, width: number, height: number, radius: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, width, height, radius);
  ctx.fill();
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** One line of text: whitespace (newlines included) collapsed. */
const clean = (text: string) => text.replace(/\s+/g, ' ').trim();

// Wrapping. Han characters and full-width punctuation break anywhere; Latin words (in either locale) break at
// spaces, and a word longer than the line breaks by character.
const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef';
const TOKENS = new RegExp(`\\s+|[${CJK}]|[^\\s${CJK}]+`, 'gu');
/** Chinese punctuation that never starts a line (the character before it moves down with it). */
const NO_LINE_START = new Set(Array.from('，。、；：？！）》」』】〉’”…·,.;:?!)'));

/** `text` wrapped to `maxWidth` with the context's current font; explicit newlines are kept as line breaks. */
export function wrapText(ctx: SKRSContext2D, text: string, maxWidth: number, locale: MenuLocale): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    const tokens = clean(paragraph).match(TOKENS) ?? [];
    let line: string[] = [];
    const width = (parts: string[]) => ctx.measureText(parts.join('')).width;
    const push = () => {
      const text = line.join('').trim();
      if (text) lines.push(text);
      line = [];
    };
    for (const token of tokens) {
      if (width([...line, token]) <= maxWidth) {
        line.push(token);
        continue;
      }
      if (/^\s+$/.test(token)) {
        push();
        continue;
      }
      if (locale === 'zh-CN' && NO_LINE_START.has(token) && line.length > 1) {
        const carried = line.pop()!;
        push();
        line = [carried, token];
        continue;
      }
      if (line.length) push();
      if (width([token]) <= maxWidth) {
        line = [token];
        continue;
      }
      // A single word wider than the line.
      for (const char of Array.from(token)) {
        if (line.length && width([...line, char]) > maxWidth) push();
        line.push(char);
      }
    }
    push();
  }
  return lines;
}

/** At most `maxLines` lines; the last one shown ends with an ellipsis when text was cut. */
function limitLines(ctx: SKRSContext2D, lines: string[], maxLines: number, maxWidth: number): string[] {
  if (lines.length <= maxLines) return lines;
  if (maxLines <= 0) return [];
  const shown = lines.slice(0, maxLines);
  const last = shown[maxLines - 1]!;
  shown[maxLines - 1] = ctx.measureText(last + ELLIPSIS).width <= maxWidth ? last + ELLIPSIS : withEllipsis(ctx, last, maxWidth);
  return shown;
}

/** `text` on one line, cut with an ellipsis when it is wider than `maxWidth`. */
export function fitLine(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  return ctx.measureText(text).width <= maxWidth ? text : withEllipsis(ctx, text, maxWidth);
}

function withEllipsis(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  const chars = Array.from(text);
  // Binary search for the longest prefix that fits with the ellipsis.
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ctx.measureText(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS).width <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return low === 0 ? '' : chars.slice(0, low).join('').trimEnd() + ELLIPSIS;
}
