// Waiting-room media: the clips a clinic's admins upload (checked, transcoded once into the house format, kept under
// WAITING_MEDIA_DIR/<clinicId>/), the playlists per queue, and the clips one call plays. Used by the admin API and by
// the agents worker (clipsForCall): no Next, tRPC or server-only here.
import { randomUUID } from 'node:crypto';
import { access, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { recordAudit } from '@/server/audit/audit-service';
import { requireAdmin } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { invalid, notFound, type ErrorReason } from '@/server/errors';
import { fhirGateway, type FhirGateway } from '@/server/fhir/gateway';
import { clipTitle, playlistEntriesInput, type PlaylistEntryInput } from '@/server/shared/schemas/waiting-media';
import { CLIP_MAX_BYTES, CLIP_REJECTION_MESSAGES, ClipTranscodeError, inspectClip, transcodeToHouseFormat, type ClipRejection } from './clip-check';
import { activeConditionCodes } from './patient-conditions';
import { choosePlaylist, minuteOfDay, needsConditions } from './playlist';

const WHY_ADMIN = 'Only clinic administrators manage waiting-room media';

/** How long a call's clips wait for the chart before playing the untargeted ones. */
export const CHART_DEADLINE_MS = 3000;

const REJECTION_REASON: Record<ClipRejection, ErrorReason> = {
  notAVideo: 'clipNotAVideo',
  noVideoTrack: 'clipNoVideoTrack',
  tooLong: 'clipTooLong',
  tooLarge: 'clipTooLarge',
  unsupportedFormat: 'clipUnsupported',
};

export type ClipView = { id: string; title: string; durationSeconds: number; createdAt: Date; playlistEntries: number };

export type ClipUpload = {
  title: string;
  /** The uploaded file as received; it stays the caller's to delete. */
  tempFile: string;
  originalName: string;
  sizeBytes: number;
};

export type MediaOptions = {
  /** Overrides WAITING_MEDIA_DIR (tests). */
  mediaDir?: string;
};

const mediaRoot = (options: MediaOptions = {}) => path.resolve(options.mediaDir ?? env().WAITING_MEDIA_DIR);

/** A stored clip's absolute path; a stored name that would lead outside the media folder is refused. */
function mediaPath(root: string, file: string): string {
  const resolved = path.resolve(root, file);
  if (!resolved.startsWith(root + path.sep)) throw new Error(`Waiting clip outside the media folder: ${file}`);
  return resolved;
}

// One transcode at a time per process: ffmpeg shares the machine with live calls.
let transcoding: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(job: () => Promise<T>): Promise<T> {
  const run = transcoding.then(job);
  transcoding = run.catch(() => undefined);
  return run;
}

/**
 * Checks an uploaded video and keeps it as a clip of the admin's clinic: refused with BAD_REQUEST and a reason when
 * it is not an MP4 or WebM video with a picture, at most 10 minutes and 200 MB; otherwise transcoded into the house
 * format (the file appears whole or not at all), then recorded and audited. A failure leaves neither file nor row.
 */
export async function uploadClip(
  principal: Principal,
  upload: ClipUpload,
  onProgress?: (fraction: number) => void,
  options: MediaOptions & { signal?: AbortSignal } = {},
): Promise<ClipView> {
  const admin = requireAdmin(principal, WHY_ADMIN);
  const title = clipTitle.safeParse(upload.title);
  if (!title.success) throw invalid('Give the clip a title of at most 120 characters', 'clipTitleInvalid');
  if (upload.sizeBytes > CLIP_MAX_BYTES) throw invalid(CLIP_REJECTION_MESSAGES.tooLarge, 'clipTooLarge');
  const inspection = await inspectClip(upload.tempFile);
  if (!inspection.ok) throw invalid(inspection.message, REJECTION_REASON[inspection.reason]);

  const id = randomUUID();
  const file = `${admin.clinicId}/${id}.mp4`;
  const output = mediaPath(mediaRoot(options), file);
  await mkdir(path.dirname(output), { recursive: true });
  try {
    await oneAtATime(() => transcodeToHouseFormat(upload.tempFile, output, { onProgress, signal: options.signal }));
  } catch (error) {
    if (!(error instanceof ClipTranscodeError) || options.signal?.aborted) throw error;
    const refusal = invalid('This video could not be converted; it may be damaged', 'clipTranscodeFailed');
    refusal.cause = error;
    throw refusal;
  }
  try {
    const clip = await db.$transaction(async (tx) => {
      const created = await tx.waitingClip.create({
        data: { id, clinicId: admin.clinicId, title: title.data, file, durationSeconds: inspection.durationSeconds, uploadedById: admin.id },
      });
      await recordAudit(tx, {
        actor: `staff:${admin.id}`,
        action: 'waiting-clip.uploaded',
        clinicId: admin.clinicId,
        subject: `WaitingClip/${id}`,
        detail: {
          title: title.data,
          originalName: upload.originalName.slice(0, 200),
          sizeBytes: upload.sizeBytes,
          durationSeconds: inspection.durationSeconds,
        },
      });
      return created;
    });
    return { id: clip.id, title: clip.title, durationSeconds: clip.durationSeconds, createdAt: clip.createdAt, playlistEntries: 0 };
  } catch (error) {
    await rm(output, { force: true });
    throw error;
  }
}

/** The clinic's clips in upload order, with how many playlist entries play each. */
export async function listClips(principal: Principal): Promise<ClipView[]> {
  const admin = requireAdmin(principal, WHY_ADMIN);
  const clips = await db.waitingClip.findMany({
    where: { clinicId: admin.clinicId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, title: true, durationSeconds: true, createdAt: true, _count: { select: { entries: true } } },
  });
  return clips.map(({ _count, ...clip }) => ({ ...clip, playlistEntries: _count.entries }));
}

/** Deletes a clip of the clinic: its row and its playlist entries (audited together), then its file. */
export async function deleteClip(principal: Principal, clipId: string, options: MediaOptions = {}): Promise<{ id: string }> {
  const admin = requireAdmin(principal, WHY_ADMIN);
  const clip = await db.$transaction(async (tx) => {
    const found = await tx.waitingClip.findFirst({ where: { id: clipId, clinicId: admin.clinicId }, select: { id: true, title: true, file: true } });
    const entries = found ? await tx.waitingPlaylistEntry.count({ where: { clipId } }) : 0;
    // deleteMany, so a second delete of the same clip at the same moment is refused like a missing one.
    const deleted = found ? await tx.waitingClip.deleteMany({ where: { id: clipId, clinicId: admin.clinicId } }) : { count: 0 };
    if (!found || deleted.count === 0) throw notFound('No such clip in your clinic', 'clipNotFound');
    await recordAudit(tx, {
      actor: `staff:${admin.id}`,
      action: 'waiting-clip.deleted',
      clinicId: admin.clinicId,
      subject: `WaitingClip/${clipId}`,
      detail: { title: found.title, playlistEntries: entries },
    });
    return found;
  });
  // After the commit: a crash here leaves an unused file, never a row without its file.
  await rm(mediaPath(mediaRoot(options), clip.file), { force: true });
  return { id: clip.id };
}

export type PlaylistView = {
  queueId: string;
  queueName: string;
  /** The clinic's time zone: the entries' minutes are of its day. */
  timeZone: string;
  entries: { id: string; clipId: string; position: number; fromMinute: number | null; toMinute: number | null; conditionCode: string | null }[];
};

/** A queue's playlist, in position order. */
export async function playlistOf(principal: Principal, queueId: string): Promise<PlaylistView> {
  const admin = requireAdmin(principal, WHY_ADMIN);
  const queue = await db.queue.findFirst({
    where: { id: queueId, clinicId: admin.clinicId },
    select: { id: true, name: true, clinic: { select: { timeZone: true } } },
  });
  if (!queue) throw notFound('No such queue in your clinic', 'notFound');
  const entries = await db.waitingPlaylistEntry.findMany({
    where: { queueId, clinicId: admin.clinicId },
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
    select: { id: true, clipId: true, position: true, fromMinute: true, toMinute: true, conditionCode: true },
  });
  return { queueId: queue.id, queueName: queue.name, timeZone: queue.clinic.timeZone, entries };
}

/**
 * Replaces a queue's playlist with `entries`, played in the order given. Every clip and the queue must be the
 * clinic's. The queue's row is locked for the transaction, so two saves at once leave one of them, never a mix.
 */
export async function savePlaylist(principal: Principal, queueId: string, entries: readonly PlaylistEntryInput[]): Promise<PlaylistView> {
  const admin = requireAdmin(principal, WHY_ADMIN);
  const parsed = playlistEntriesInput.safeParse(entries);
  if (!parsed.success) throw invalid(`The playlist is not valid: ${parsed.error.issues[0]?.message ?? 'check its entries'}`, 'invalidPlaylist');
  await db.$transaction(async (tx) => {
    const queue = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Queue" WHERE id = ${queueId} AND "clinicId" = ${admin.clinicId} FOR UPDATE`;
    if (queue.length === 0) throw notFound('No such queue in your clinic', 'notFound');
    const clipIds = [...new Set(parsed.data.map((entry) => entry.clipId))];
    if (clipIds.length > 0) {
      // Shared locks: a clip deleted at this moment waits for the save (and then takes its entries with it).
      const clips = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "WaitingClip" WHERE id = ANY(${clipIds}) AND "clinicId" = ${admin.clinicId} FOR SHARE`;
      if (clips.length !== clipIds.length) throw notFound('A chosen clip is not in your clinic (it may have just been deleted)', 'clipNotFound');
    }
    await tx.waitingPlaylistEntry.deleteMany({ where: { queueId } });
    await tx.waitingPlaylistEntry.createMany({
      data: parsed.data.map((entry, position) => ({ ...entry, clinicId: admin.clinicId, queueId, position })),
    });
    await recordAudit(tx, {
      actor: `staff:${admin.id}`,
      action: 'waiting-playlist.saved',
      clinicId: admin.clinicId,
      subject: `Queue/${queueId}`,
      detail: { entries: parsed.data },
    });
  });
  return playlistOf(principal, queueId);
}

export type CallForClips = {
  clinicId: string;
  queueId: string | null;
  /** The patient's FHIR Patient id; null: no chart, so no targeted clip. */
  patientFhirId: string | null;
  /** The portal's patient id, for the audit of the chart read. */
  patientId?: string | null;
  now: Date;
};

export type ClipsForCallOptions = MediaOptions & {
  /** The FHIR gateway (default: FHIR_BASE_URL's). */
  gateway?: FhirGateway;
  chartDeadlineMs?: number;
};

/**
 * The absolute paths of the clips one call plays, in order (the agent loops them). The queue's playlist decides
 * (choosePlaylist), with the chart read through the FHIR gateway only when an entry targets a condition; the EHR
 * failing or being slow never stops the wait: the untargeted entries play. Without a playlist, or when nothing in it
 * fits now: the clinic's other clips in upload order (never a playlist's own clips against its rules); else the
 * house-format clips at the top of WAITING_MEDIA_DIR (the demo's, the test stack's) by name; else none.
 */
export async function clipsForCall(call: CallForClips, options: ClipsForCallOptions = {}): Promise<string[]> {
  const root = mediaRoot(options);
  const governed = new Set<string>();
  if (call.queueId) {
    const entries = await db.waitingPlaylistEntry.findMany({
      where: { clinicId: call.clinicId, queueId: call.queueId, clip: { clinicId: call.clinicId } },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
      select: { position: true, fromMinute: true, toMinute: true, conditionCode: true, clip: { select: { id: true, file: true } } },
    });
    if (entries.length > 0) {
      const clinic = await db.clinic.findUniqueOrThrow({ where: { id: call.clinicId }, select: { timeZone: true } });
      const conditionCodes = needsConditions(entries) && call.patientFhirId ? await chartCodesOrNone(call, call.patientFhirId, options) : new Set<string>();
      const chosen = choosePlaylist(entries, { minuteOfDay: minuteOfDay(call.now, clinic.timeZone), conditionCodes });
      const files = await present(
        root,
        chosen.map((entry) => entry.clip.file),
      );
      if (files.length > 0) return files;
      for (const entry of entries) governed.add(entry.clip.id);
    }
  }
  const clinicClips = await db.waitingClip.findMany({
    where: { clinicId: call.clinicId, id: { notIn: [...governed] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { file: true },
  });
  const files = await present(
    root,
    clinicClips.map((clip) => clip.file),
  );
  return files.length > 0 ? files : houseClips(options);
}

/** The house-format clips (`*.mp4`) at the top level of the media folder, by name. */
export async function houseClips(options: MediaOptions = {}): Promise<string[]> {
  const root = mediaRoot(options);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.mp4') && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => path.join(root, name));
}

/** The stored files that exist, as absolute paths, in the same order. */
async function present(root: string, files: string[]): Promise<string[]> {
  const checked = await Promise.all(
    files.map(async (file) => {
      const full = mediaPath(root, file);
      return access(full).then(
        () => full,
        () => null,
      );
    }),
  );
  return checked.filter((file): file is string => file !== null);
}

/** The patient's active Condition codes, or none when the EHR is not set up, fails or does not answer in time. */
async function chartCodesOrNone(call: CallForClips, fhirPatientId: string, options: ClipsForCallOptions): Promise<Set<string>> {
  let codes: Set<string>;
  try {
    const gateway = options.gateway ?? fhirGateway();
    codes = await withDeadline(activeConditionCodes(gateway, fhirPatientId), options.chartDeadlineMs ?? CHART_DEADLINE_MS);
  } catch (error) {
    console.warn(`[waiting clips] The chart of Patient/${fhirPatientId} could not be read (${(error as Error).message}); playing the untargeted clips`);
    return new Set();
  }
  await recordAudit(db, {
    actor: 'system:waiting-clips',
    action: 'chart.read',
    clinicId: call.clinicId,
    patientId: call.patientId ?? null,
    subject: 'waiting-room clips: active Condition codes',
    detail: { fhirPatientId },
  });
  return codes;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
