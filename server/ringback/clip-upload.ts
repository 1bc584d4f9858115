// The admin's clip upload over HTTP (POST multipart/form-data with `title` and `file`): the body is streamed into a
// temporary file (multipart-upload.ts), refused with 413 as soon as the file passes 200 MB, then checked and kept by
// uploadClip. Every refusal is a plain sentence with its reason, for the admin screen to translate.
import type { Principal } from '@/server/auth/session-types';
import { requireAdmin } from '@/server/auth/guards';
import { DomainError, type DomainErrorCode, type ErrorReason } from '@/server/errors';
import { CLIP_MAX_BYTES } from './clip-check';
import { receiveMultipart, UploadRefused, type ReceivedForm } from './multipart-upload';
import { uploadClip, type MediaOptions } from './waiting-media-service';

const STATUS: Record<DomainErrorCode, number> = { BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, UNAVAILABLE: 503 };

const refuse = (status: number, message: string, reason?: ErrorReason) => Response.json({ error: message, reason: reason ?? null }, { status });

/** POST /api/admin/waiting-clips: 201 with the clip; 401, 403, 400 and 413 with a plain sentence and its reason. */
export async function handleClipUpload(request: Request, principal: Principal | null, options: MediaOptions & { tempDir?: string } = {}): Promise<Response> {
  if (!principal) return refuse(401, 'Please sign in first.', 'signInRequired');
  try {
    // Before any of the body is read.
    requireAdmin(principal, 'Only clinic administrators upload waiting-room clips.');
  } catch (error) {
    if (error instanceof DomainError) return refuse(STATUS[error.code], error.message, error.reason);
    throw error;
  }

  let form: ReceivedForm;
  try {
    form = await receiveMultipart(request, { fileField: 'file', maxFileBytes: CLIP_MAX_BYTES, tempDir: options.tempDir });
  } catch (error) {
    if (error instanceof UploadRefused) return refuse(error.status, error.message, error.reason);
    if (request.signal.aborted) return refuse(400, 'The upload was interrupted.');
    throw error;
  }
  try {
    if (!form.file) return refuse(400, 'Choose a video file to upload.');
    const clip = await uploadClip(
      principal,
      { title: form.fields.title ?? '', tempFile: form.file.path, originalName: form.file.originalName, sizeBytes: form.file.sizeBytes },
      undefined,
      { mediaDir: options.mediaDir, signal: request.signal },
    );
    return Response.json(clip, { status: 201 });
  } catch (error) {
    if (error instanceof DomainError) {
      if (error.reason === 'clipTranscodeFailed') console.warn('[waiting clips] transcode failed:', error.cause);
      return refuse(STATUS[error.code], error.message, error.reason);
    }
    if (request.signal.aborted) return refuse(400, 'The upload was cancelled.');
    console.error('[waiting clips] upload failed:', error);
    return refuse(500, 'The clip could not be saved. Please try again.');
  } finally {
    await form.cleanup();
  }
}
