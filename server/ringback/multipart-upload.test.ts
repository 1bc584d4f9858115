import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { receiveMultipart, UploadRefused } from './multipart-upload';

const tempDir = mkdtempSync(path.join(os.tmpdir(), 'revisit-multipart-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

const video = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));

/** The bytes and content type a browser's FormData would send (undici encodes it the same way). */
async function encoded(form: FormData) {
  const request = new Request('http://127.0.0.1/upload', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

function clipForm(title = '血压小贴士 Blood pressure tips', name = 'clip.webm') {
  const form = new FormData();
  form.set('title', title);
  form.set('file', new Blob([video], { type: 'video/webm' }), name);
  return form;
}

/** A request whose body arrives in the given chunk sizes (cycled); `pulled` counts the bytes read from it. */
function streamed(body: Buffer, contentType: string, sizes: number[] = [body.length], headers: Record<string, string> = {}) {
  let offset = 0;
  let turn = 0;
  const stats = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= body.length) return controller.close();
        const size = Math.max(1, sizes[turn++ % sizes.length]!);
        const chunk = body.subarray(offset, offset + size);
        offset += chunk.length;
        stats.pulled += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        stats.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request('http://127.0.0.1/upload', {
    method: 'POST',
    body: stream,
    headers: { 'content-type': contentType, ...headers },
    duplex: 'half',
  } as RequestInit);
  return { request, stats };
}

const receive = (request: Request, maxFileBytes = 1_000_000) => receiveMultipart(request, { fileField: 'file', maxFileBytes, tempDir });

async function refusal(promise: Promise<unknown>): Promise<UploadRefused> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadRefused);
  return error as UploadRefused;
}

describe('receiveMultipart', () => {
  it('writes the file to a temporary file and reads the text fields, in UTF-8', async () => {
    const { body, contentType } = await encoded(clipForm('血压小贴士 Blood pressure tips', '血压 tips.webm'));
    const form = await receive(streamed(body, contentType).request);
    expect(form.fields).toEqual({ title: '血压小贴士 Blood pressure tips' });
    expect(form.file).toMatchObject({ originalName: '血压 tips.webm', contentType: 'video/webm', sizeBytes: video.length });
    expect(readFileSync(form.file!.path).equals(video)).toBe(true);
    await form.cleanup();
    expect(existsSync(form.file!.path)).toBe(false);
  });

  it('gives the same result however the body is cut into chunks (boundaries split across chunks)', async () => {
    const { body, contentType } = await encoded(clipForm());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }), async (sizes) => {
        const form = await receive(streamed(body, contentType, sizes).request);
        expect(form.fields.title).toBe('血压小贴士 Blood pressure tips');
        expect(readFileSync(form.file!.path).equals(video)).toBe(true);
        await form.cleanup();
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a file over the limit with 413 while streaming, without reading the rest', async () => {
    const big = Buffer.alloc(5_000_000, 7);
    const form = new FormData();
    form.set('title', 'Too big');
    form.set('file', new Blob([big]), 'big.mp4');
    const { body, contentType } = await encoded(form);
    const { request, stats } = streamed(body, contentType, [16 * 1024]);
    const error = await refusal(receive(request, 100_000));
    expect(error).toMatchObject({ status: 413, reason: 'clipTooLarge' });
    expect(stats.pulled).toBeLessThan(100_000 + 64 * 1024 + 2 * 16 * 1024);
    expect(stats.cancelled).toBe(true);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('refuses a body announced larger than the limit before reading any of it', async () => {
    const { body, contentType } = await encoded(clipForm());
    const { request, stats } = streamed(body, contentType, [1024], { 'content-length': String(10_000_000) });
    expect(await refusal(receive(request, 100_000))).toMatchObject({ status: 413 });
    expect(stats.pulled).toBe(0);
  });

  it('refuses what is not a complete multipart form with 400, and leaves no temporary file', async () => {
    const { body, contentType } = await encoded(clipForm());
    expect(await refusal(receive(streamed(Buffer.from('{"title":"x"}'), 'application/json').request))).toMatchObject({ status: 400 });
    expect(await refusal(receive(streamed(body.subarray(0, body.length - 200), contentType).request))).toMatchObject({ status: 400 });

    const twoFiles = clipForm();
    twoFiles.append('file', new Blob([video]), 'second.webm');
    const two = await encoded(twoFiles);
    expect(await refusal(receive(streamed(two.body, two.contentType).request))).toMatchObject({ status: 400 });

    const longTitle = await encoded(clipForm('x'.repeat(10_000)));
    expect(await refusal(receive(streamed(longTitle.body, longTitle.contentType).request))).toMatchObject({ status: 400 });
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('reads a form without a file, and drops files under other names', async () => {
    const form = new FormData();
    form.set('title', 'No file');
    form.set('attachment', new Blob([video]), 'other.bin');
    const { body, contentType } = await encoded(form);
    const received = await receive(streamed(body, contentType).request);
    expect(received).toMatchObject({ fields: { title: 'No file' }, file: null });
    await received.cleanup();
  });
});
