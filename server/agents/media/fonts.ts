// The typeface of every frame the media agents draw: Noto Sans CJK, Simplified Chinese face, under one alias.
//
// Debian ships Noto Sans CJK only as collections (.ttc) holding the JP, KR, SC, TC and HK faces. Skia (through
// GlobalFonts.registerFromPath) loads face 0 of a collection, which is the Japanese one: 骨, 门, 直 and the
// full-width punctuation would then be drawn in their Japanese forms. So the SC face is cut out of the collection
// (its tables copied into a standalone OpenType font, in memory) and registered with GlobalFonts.register.
import { existsSync, readFileSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';

/** The family name every frame asks for. */
export const MENU_FONT_FAMILY = 'Revisit Sans';

const NOTO_DIR = '/usr/share/fonts/opentype/noto';
export const NOTO_CJK_REGULAR = `${NOTO_DIR}/NotoSansCJK-Regular.ttc`;
export const NOTO_CJK_BOLD = `${NOTO_DIR}/NotoSansCJK-Bold.ttc`;
const SC_FAMILY = 'Noto Sans CJK SC';

export class FontMissingError extends Error {
  constructor(path: string) {
    super(`The Noto Sans CJK font is missing (${path}): install the Debian package fonts-noto-cjk (apt-get install -y fonts-noto-cjk)`);
    this.name = 'FontMissingError';
  }
}

let registered = false;

/**
 * Registers the Simplified Chinese face of Noto Sans CJK (regular, and bold when installed) as MENU_FONT_FAMILY,
 * once per process. Throws FontMissingError when the regular face is not installed.
 */
export function registerMenuFonts(): string {
  if (registered) return MENU_FONT_FAMILY;
  if (!existsSync(NOTO_CJK_REGULAR)) throw new FontMissingError(NOTO_CJK_REGULAR);
  register(NOTO_CJK_REGULAR);
  // Without the bold file, Skia synthesizes bold from the regular face: still legible.
  if (existsSync(NOTO_CJK_BOLD)) register(NOTO_CJK_BOLD);
  registered = true;
  return MENU_FONT_FAMILY;
}

function register(path: string): void {
  const font = extractFace(readFileSync(path), SC_FAMILY);
  if (!GlobalFonts.register(font, MENU_FONT_FAMILY)) throw new Error(`Skia refused the ${SC_FAMILY} face cut out of ${path}`);
}

/**
 * The face named `family` of a font collection, as a standalone OpenType font: its table directory rewritten
 * with table offsets into the new file (table checksums are kept: the table bytes are unchanged). A single font
 * file is returned as it is.
 */
export function extractFace(file: Buffer, family: string): Buffer {
  if (file.toString('latin1', 0, 4) !== 'ttcf') return file;
  const faces = file.readUInt32BE(8);
  for (let face = 0; face < faces; face++) {
    const start = file.readUInt32BE(12 + 4 * face);
    if (familyName(file, start) === family) return copyFace(file, start);
  }
  throw new Error(`No face named ${family} in the font collection`);
}

type TableRecord = { tag: number; checksum: number; offset: number; length: number };

function tableRecords(file: Buffer, start: number): TableRecord[] {
  const count = file.readUInt16BE(start + 4);
  return Array.from({ length: count }, (_, i) => {
    const at = start + 12 + 16 * i;
    return { tag: file.readUInt32BE(at), checksum: file.readUInt32BE(at + 4), offset: file.readUInt32BE(at + 8), length: file.readUInt32BE(at + 12) };
  });
}

function copyFace(file: Buffer, start: number): Buffer {
  const tables = tableRecords(file, start);
  const directoryLength = 12 + 16 * tables.length;
  const padded = (length: number) => (length + 3) & ~3;
  const out = Buffer.alloc(directoryLength + tables.reduce((sum, t) => sum + padded(t.length), 0));
  file.copy(out, 0, start, start + 12);
  let position = directoryLength;
  tables.forEach((table, i) => {
    const at = 12 + 16 * i;
    out.writeUInt32BE(table.tag, at);
    out.writeUInt32BE(table.checksum, at + 4);
    out.writeUInt32BE(position, at + 8);
    out.writeUInt32BE(table.length, at + 12);
    file.copy(out, position, table.offset, table.offset + table.length);
    position += padded(table.length);
  });
  return out;
}

const NAME_TAG = 0x6e616d65; // 'name'

/** The face's family name (name ID 1, Windows Unicode), read from its `name` table. */
function familyName(file: Buffer, start: number): string | null {
  const table = tableRecords(file, start).find((t) => t.tag === NAME_TAG);
  if (!table) return null;
  const count = file.readUInt16BE(table.offset + 2);
  const strings = table.offset + file.readUInt16BE(table.offset + 4);
  for (let i = 0; i < count; i++) {
    const at = table.offset + 6 + 12 * i;
    const platform = file.readUInt16BE(at);
    const nameId = file.readUInt16BE(at + 6);
    if (platform !== 3 || nameId !== 1) continue;
    const length = file.readUInt16BE(at + 8);
    const offset = strings + file.readUInt16BE(at + 10);
    // A copy: swap16 works in place.
    return Buffer.from(file.subarray(offset, offset + length))
      .swap16()
      .toString('utf16le');
  }
  return null;
}
