// Streams a multipart/form-data body (RFC 7578) into text fields and one temporary file, without holding the file in
// memory, and stops reading as soon as the file passes its limit.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ErrorReason } from '@/server/errors';
import { CLIP_REJECTION_MESSAGES } from './clip-check';

/** Room for the form's other fields and the multipart framing around the file. */
const BODY_OVERHEAD_BYTES = 64 * 1024;
const MAX_FIELD_BYTES = 4 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;

export class UploadRefused extends Error {
  constructor(
    public readonly status: 400 | 413,
    message: string,
    public readonly reason?: ErrorReason,
  ) {
    super(message);
    this.name = 'UploadRefused';
  }
}

export type ReceivedForm = {
  fields: Record<string, string>;
  file: { path: string; originalName: string; contentType: string; sizeBytes: number } | null;
  /** Removes the temporary file. */
  cleanup: () => Promise<void>;
};

export const malformed = () => new UploadRefused(400, 'Send the clip as multipart/form-data with a title and a file.');
const tooLarge = () => new UploadRefused(413, CLIP_REJECTION_MESSAGES.tooLarge, 'clipTooLarge');

function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** Content-Disposition's name and filename (filename* in UTF-8 when given, as RFC 7578 allows). */
function dispositionOf(headers: string): { name: string | null; filename: string | null; contentType: string } {
  const lines = headers.split('\r\n');
  const header = (name: string) => lines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1) ?? '';
  const params = new Map<string, string>();
  for (const match of header('content-disposition').matchAll(/;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    const raw = match[2]!.trim();
    params.set(match[1]!.toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  let filename = params.get('filename') ?? null;
  const extended = params.get('filename*');
  if (extended) {
    try {
      filename = decodeURIComponent(extended.replace(/^UTF-8''/i, ''));
    } catch {
      // Keep the plain filename.
    }
  }
  return { name: params.get('name') ?? null, filename, contentType: header('content-type').trim() || 'application/octet-stream' };
}

type Sink = { write(chunk: Buffer): Promise<void>; end(): Promise<void> };

/**
 * Reads a multipart/form-data body: text fields (a few KB each) and one file part named `fileField`, written to a
 * temporary file as it arrives. Refused with 400 when it is not such a body, 413 when the file passes `maxFileBytes`
 * (without reading on). Anything else in the body counts towards the limit and is dropped.
 */
export async function receiveMultipart(request: Request, options: { fileField: string; maxFileBytes: number; tempDir?: string }): Promise<ReceivedForm> {
  const boundary = boundaryOf(request.headers.get('content-type'));
  if (!boundary || !request.body) throw malformed();
  const maxBodyBytes = options.maxFileBytes + BODY_OVERHEAD_BYTES;
  if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) throw tooLarge();

  const dir = await mkdtemp(path.join(options.tempDir ?? os.tmpdir(), 'revisit-upload-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let file: ReceivedForm['file'] = null;
  let handle: FileHandle | null = null;

  const openSink = async (headers: string): Promise<Sink> => {
    const part = dispositionOf(headers);
    if (part.name === options.fileField && part.filename !== null) {
      if (file) throw new UploadRefused(400, 'Send one file per upload.');
      const received = {
        path: path.join(dir, 'upload'),
        originalName: path.basename(part.filename.replace(/\\/g, '/')),
        contentType: part.contentType,
        sizeBytes: 0,
      };
      file = received;
      handle = await open(received.path, 'wx');
      const fileHandle = handle;
      return {
        async write(chunk) {
          received.sizeBytes += chunk.length;
          if (received.sizeBytes > options.maxFileBytes) throw tooLarge();
          await fileHandle.write(chunk);
        },
        async end() {
          await fileHandle.close();
          handle = null;
        },
      };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    return {
      async write(chunk) {
        size += chunk.length;
        if (part.filename !== null) return; // another file: dropped
        if (size > MAX_FIELD_BYTES) throw new UploadRefused(400, 'A form field is too long.');
        chunks.push(chunk);
      },
      async end() {
        if (part.name && part.filename === null) fields[part.name] = Buffer.concat(chunks).toString('utf8');
      },
    };
  };

  // The body as if it began with CRLF: then every boundary, the first one included, is CRLF--boundary.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let pending = Buffer.from('\r\n');
  type State = 'preamble' | 'boundaryLine' | 'headers' | 'body' | 'done';
  // Typed wide: advance() moves it on, which the narrowing of a plain initializer would not see.
  let state = 'preamble' as State;
  let sink: Sink | null = null;

  /** Moves through as much of `pending` as can be decided; the rest waits for the next chunk. */
  async function advance() {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = pending.indexOf(delimiter);
        if (at === -1) {
          // Keep what could be the start of a boundary split across chunks.
          const safe = Math.max(0, pending.length - (delimiter.length - 1));
          if (state === 'body' && safe > 0) await sink!.write(pending.subarray(0, safe));
          pending = pending.subarray(safe);
          return;
        }
        if (state === 'body') {
          await sink!.write(pending.subarray(0, at));
          await sink!.end();
          sink = null;
        }
        pending = pending.subarray(at + delimiter.length);
        state = 'boundaryLine';
      }
      if (state === 'boundaryLine') {
        if (pending.length < 2) return;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          state = 'done';
          return;
        }
        // The rest of the boundary line (transport padding), then the part's headers.
        const eol = pending.indexOf('\r\n');
        if (eol === -1) {
          if (pending.length > 256) throw malformed();
          return;
        }
        pending = pending.subarray(eol + 2);
        state = 'headers';
      }
      if (state === 'headers') {
        const end = pending.subarray(0, 2).toString() === '\r\n' ? 0 : pending.indexOf('\r\n\r\n');
        if (end === -1) {
          if (pending.length > MAX_HEADER_BYTES) throw malformed();
          return;
        }
        sink = await openSink(pending.subarray(0, end).toString('utf8'));
        pending = pending.subarray(end === 0 ? 2 : end + 4);
        state = 'body';
      }
      if (state === 'done') return;
    }
  }

  const reader = request.body.getReader();
  let bodyBytes = 0;
  try {
    while (state !== 'done') {
      const { value, done } = await reader.read();
      if (done) break;
      bodyBytes += value.length;
      if (bodyBytes > maxBodyBytes) throw tooLarge();
      pending = Buffer.concat([pending, value]);
      await advance();
    }
    if (state !== 'done') throw malformed();
    return { fields, file, cleanup };
  } catch (error) {
    // Stop reading: a refused upload is not received to its end.
    await reader.cancel().catch(() => undefined);
    await (handle as FileHandle | null)?.close().catch(() => undefined);
    await cleanup();
    throw error;
  } finally {
    reader.releaseLock();
  }
}
