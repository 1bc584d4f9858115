// Waiting-room media against real PostgreSQL, ffmpeg/ffprobe and the embedded FHIR server (the test stack's).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseWaitingClips } from '@/server/agents/waiting-clips';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { DomainError } from '@/server/errors';
import { SYSTEM } from '@/server/fhir/codes';
import { createFhirGateway, type FhirGateway } from '@/server/fhir/gateway';
import { CLIP_UPLOAD_MAX_BYTES, type PlaylistEntryInput } from '@/server/shared/schemas/waiting-media';
import { createClinic, createPatient, createStaff, staffPrincipal } from '@/server/testing/factories';
import { CLIP_MAX_BYTES } from './clip-check';
import { handleClipUpload } from './clip-upload';
import { clipsForCall, deleteClip, listClips, playlistOf, savePlaylist, uploadClip } from './waiting-media-service';

const HYPERTENSION = '38341003';
const work = mkdtempSync(path.join(os.tmpdir(), 'revisit-waiting-media-'));
/** This file's own media folder: the stack's WAITING_MEDIA_DIR holds the clips the agents tests play. */
const mediaDir = path.join(work, 'media');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gateway = createFhirGateway({ baseUrl: process.env.FHIR_BASE_URL as string, timeoutMs: 8000 });
// Nothing listens on port 9 of the loopback: an EHR that is down.
const downGateway = createFhirGateway({ baseUrl: 'http://127.0.0.1:9/fhir', timeoutMs: 1000, attempts: 1 });

function ffmpeg(name: string, args: string[]): string {
  const file = path.join(work, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, file]);
  return file;
}
const webm = () =>
  ffmpeg('clip.webm', ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', '-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8']);
function probe(file: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', file]).toString();
  return (JSON.parse(out) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate?: string }[] }).streams;
}

async function adminOf() {
  const clinic = await createClinic();
  const admin = staffPrincipal(await createStaff(clinic.id, 'ADMIN'));
  return { clinic, admin };
}

/** A clip row with a stand-in file (what clipsForCall needs); uploads are tested on their own below. */
async function storedClip(clinicId: string, name: string, root = mediaDir, createdAt?: Date) {
  const file = `${clinicId}/${name}.mp4`;
  mkdirSync(path.join(root, clinicId), { recursive: true });
  writeFileSync(path.join(root, file), name);
  return db.waitingClip.create({ data: { clinicId, title: name, file, durationSeconds: 20, createdAt } });
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** A chart on the FHIR server with these Conditions (SNOMED, ICD-10) and their clinical status. */
async function chartWith(conditions: { code: string; system: string; status: 'active' | 'resolved' }[]): Promise<string> {
  const patient = await gateway.create<fhir4.Patient>({ resourceType: 'Patient', name: [{ family: '测', given: ['候诊'] }] });
  for (const condition of conditions) {
    await gateway.create<fhir4.Condition>({
      resourceType: 'Condition',
      subject: { reference: `Patient/${patient.id}` },
      clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: condition.status }] },
      code: { coding: [{ system: condition.system, code: condition.code }] },
    });
  }
  return patient.id!;
}

/** 23:00 and 12:00 in Shanghai, where the factories' clinics are. */
const NIGHT = new Date('2026-12-03T15:00:00Z');
const NOON = new Date('2026-12-03T04:00:00Z');

describe('uploadClip', () => {
  it('transcodes an accepted WebM once into the house format in the clinic’s folder, records and audits it', async () => {
    const { clinic, admin } = await adminOf();
    const progress: number[] = [];
    const clip = await uploadClip(
      admin,
      { title: '  运动小贴士 Exercise  ', tempFile: webm(), originalName: 'exercise.webm', sizeBytes: 1000 },
      (f) => progress.push(f),
      {
        mediaDir,
      },
    );
    expect(clip).toMatchObject({ title: '运动小贴士 Exercise', playlistEntries: 0, durationSeconds: expect.closeTo(2, 0) });
    const row = await db.waitingClip.findUniqueOrThrow({ where: { id: clip.id } });
    expect(row).toMatchObject({ clinicId: clinic.id, file: `${clinic.id}/${clip.id}.mp4`, uploadedById: admin.id });
    expect(readdirSync(path.join(mediaDir, clinic.id))).toEqual([`${clip.id}.mp4`]);
    const streams = probe(path.join(mediaDir, row.file));
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640, height: 360, r_frame_rate: '15/1' });
    expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    expect(progress.at(-1)).toBe(1);
    const audit = await db.auditEvent.findMany({ where: { clinicId: clinic.id, action: 'waiting-clip.uploaded' } });
    expect(audit).toEqual([expect.objectContaining({ actor: `staff:${admin.id}`, subject: `WaitingClip/${clip.id}`, outcome: 'success' })]);
    expect(await listClips(admin)).toEqual([expect.objectContaining({ id: clip.id, title: '运动小贴士 Exercise' })]);
  });

  it('refuses anything else with BAD_REQUEST and the reason, leaving neither file nor row', async () => {
    const { clinic, admin } = await adminOf();
    const text = path.join(work, 'notes.txt');
    writeFileSync(text, 'hello');
    const upload = (tempFile: string, extra: { title?: string; sizeBytes?: number } = {}) =>
      refusal(
        uploadClip(admin, { title: extra.title ?? 'Clip', tempFile, originalName: path.basename(tempFile), sizeBytes: extra.sizeBytes ?? 1000 }, undefined, {
          mediaDir,
        }),
      );

    expect(await upload(text)).toMatchObject({ code: 'BAD_REQUEST', reason: 'clipNotAVideo' });
    expect(await upload(ffmpeg('sound.m4a', ['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac']))).toMatchObject({ reason: 'clipNoVideoTrack' });
    expect(await upload(ffmpeg('clip.avi', ['-f', 'lavfi', '-i', 'testsrc2=s=160x120:d=1', '-c:v', 'mpeg4']))).toMatchObject({ reason: 'clipUnsupported' });
    // Just over 10 minutes, as cheap a picture as ffmpeg makes.
    const long = ffmpeg('long.mp4', ['-f', 'lavfi', '-i', 'color=c=black:s=16x16:r=1:d=601', '-c:v', 'libx264', '-preset', 'ultrafast']);
    expect(await upload(long)).toMatchObject({ reason: 'clipTooLong' });
    expect(await upload(webm(), { sizeBytes: CLIP_MAX_BYTES + 1 })).toMatchObject({ reason: 'clipTooLarge' });
    expect(await upload(webm(), { title: '   ' })).toMatchObject({ reason: 'clipTitleInvalid' });
    expect(await upload(webm(), { title: 'x'.repeat(121) })).toMatchObject({ reason: 'clipTitleInvalid' });

    // A transcode that does not finish (here: cancelled) leaves nothing either.
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(
      uploadClip(admin, { title: 'Cancelled', tempFile: webm(), originalName: 'clip.webm', sizeBytes: 1000 }, undefined, {
        mediaDir,
        signal: cancelled.signal,
      }),
    ).rejects.toThrow(/cancelled/);

    expect(await db.waitingClip.count({ where: { clinicId: clinic.id } })).toBe(0);
    expect(existsSync(path.join(mediaDir, clinic.id)) ? readdirSync(path.join(mediaDir, clinic.id)) : []).toEqual([]);
  });

  it('is for administrators only, and the browser’s limit is the server’s', async () => {
    const clinic = await createClinic();
    const nurse = staffPrincipal(await createStaff(clinic.id, 'NURSE'));
    expect(await refusal(uploadClip(nurse, { title: 'x', tempFile: webm(), originalName: 'x.webm', sizeBytes: 1 }, undefined, { mediaDir }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refusal(listClips(nurse))).toMatchObject({ code: 'FORBIDDEN' });
    expect(CLIP_UPLOAD_MAX_BYTES).toBe(CLIP_MAX_BYTES);
  });
});

describe('POST /api/admin/waiting-clips (handleClipUpload)', () => {
  const request = (form: FormData) => new Request('http://127.0.0.1/api/admin/waiting-clips', { method: 'POST', body: form });
  const clipForm = (file: Blob, title = '欢迎 Welcome') => {
    const form = new FormData();
    form.set('title', title);
    form.set('file', file, 'welcome.webm');
    return form;
  };

  it('answers 201 with the clip; 401, 403, 400 and 413 with a plain sentence and the reason', async () => {
    const { clinic, admin } = await adminOf();
    const clinician = staffPrincipal(await createStaff(clinic.id, 'CLINICIAN'));
    const video = new Blob([readFileSync(webm())], { type: 'video/webm' });

    const created = await handleClipUpload(request(clipForm(video)), admin, { mediaDir, tempDir: work });
    expect(created.status).toBe(201);
    const clip = (await created.json()) as { id: string; title: string; durationSeconds: number };
    expect(clip).toMatchObject({ title: '欢迎 Welcome', durationSeconds: expect.closeTo(2, 0) });
    expect(existsSync(path.join(mediaDir, clinic.id, `${clip.id}.mp4`))).toBe(true);

    const answer = async (response: Response) => [response.status, await response.json()];
    expect(await answer(await handleClipUpload(request(clipForm(video)), null, { mediaDir }))).toEqual([
      401,
      { error: expect.any(String), reason: 'signInRequired' },
    ]);
    expect(await answer(await handleClipUpload(request(clipForm(video)), clinician, { mediaDir }))).toEqual([
      403,
      { error: 'Only clinic administrators upload waiting-room clips.', reason: 'forbidden' },
    ]);
    expect(await answer(await handleClipUpload(request(clipForm(new Blob(['hello']))), admin, { mediaDir, tempDir: work }))).toEqual([
      400,
      { error: 'This file is not a video.', reason: 'clipNotAVideo' },
    ]);
    const tooLarge = new Request('http://127.0.0.1/api/admin/waiting-clips', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(CLIP_MAX_BYTES + 1024 * 1024) },
      body: new ReadableStream({ pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024)) }),
      duplex: 'half',
    } as RequestInit);
    expect(await answer(await handleClipUpload(tooLarge, admin, { mediaDir, tempDir: work }))).toEqual([
      413,
      { error: 'The file is larger than 200 MB.', reason: 'clipTooLarge' },
    ]);
    expect(await answer(await handleClipUpload(request(new FormData()), admin, { mediaDir, tempDir: work }))).toEqual([
      400,
      { error: expect.any(String), reason: null },
    ]);

    expect(await db.waitingClip.count({ where: { clinicId: clinic.id } })).toBe(1);
    // The received files are gone; only the clip's house-format file stays.
    expect(readdirSync(work).filter((name) => name.startsWith('revisit-upload-'))).toEqual([]);
  });
});

describe('deleteClip', () => {
  it('deletes the file, the row and its playlist entries, audited; another clinic’s clip is not found', async () => {
    const { clinic, admin } = await adminOf();
    const clip = await storedClip(clinic.id, 'to-delete');
    const kept = await storedClip(clinic.id, 'kept');
    await savePlaylist(admin, clinic.followUpQueueId, [
      { clipId: clip.id, fromMinute: null, toMinute: null, conditionCode: null },
      { clipId: kept.id, fromMinute: null, toMinute: null, conditionCode: null },
    ]);
    const other = await adminOf();
    expect(await refusal(deleteClip(other.admin, clip.id, { mediaDir }))).toMatchObject({ code: 'NOT_FOUND', reason: 'clipNotFound' });

    expect(await deleteClip(admin, clip.id, { mediaDir })).toEqual({ id: clip.id });
    expect(existsSync(path.join(mediaDir, clip.file))).toBe(false);
    expect(existsSync(path.join(mediaDir, kept.file))).toBe(true);
    expect(await db.waitingClip.findUnique({ where: { id: clip.id } })).toBeNull();
    expect((await playlistOf(admin, clinic.followUpQueueId)).entries.map((e) => e.clipId)).toEqual([kept.id]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { clinicId: clinic.id, action: 'waiting-clip.deleted' } });
    expect(audit).toMatchObject({ subject: `WaitingClip/${clip.id}`, detail: { title: 'to-delete', playlistEntries: 1 } });
    expect(await refusal(deleteClip(admin, clip.id, { mediaDir }))).toMatchObject({ reason: 'clipNotFound' });
  });
});

describe('savePlaylist and playlistOf (through the admin router)', () => {
  const caller = (admin: ReturnType<typeof staffPrincipal>) => createCaller(createContext(admin)).waitingMedia;
  const entry = (clipId: string, rule: Partial<PlaylistEntryInput> = {}): PlaylistEntryInput => ({
    clipId,
    fromMinute: null,
    toMinute: null,
    conditionCode: null,
    ...rule,
  });

  it('replaces the queue’s entries in the order given, with the clinic’s time zone; audited', async () => {
    const { clinic, admin } = await adminOf();
    const welcome = await storedClip(clinic.id, 'welcome');
    const tips = await storedClip(clinic.id, 'tips');
    const api = caller(admin);
    expect(await api.playlist({ queueId: clinic.followUpQueueId })).toMatchObject({ timeZone: 'Asia/Shanghai', entries: [] });

    await api.savePlaylist({ queueId: clinic.followUpQueueId, entries: [entry(tips.id), entry(welcome.id)] });
    const saved = await api.savePlaylist({
      queueId: clinic.followUpQueueId,
      entries: [entry(welcome.id), entry(tips.id, { conditionCode: ` ${HYPERTENSION} ` }), entry(welcome.id, { fromMinute: 1320, toMinute: 360 })],
    });
    expect(
      saved.entries.map(({ clipId, position, fromMinute, toMinute, conditionCode }) => ({ clipId, position, fromMinute, toMinute, conditionCode })),
    ).toEqual([
      { clipId: welcome.id, position: 0, fromMinute: null, toMinute: null, conditionCode: null },
      { clipId: tips.id, position: 1, fromMinute: null, toMinute: null, conditionCode: HYPERTENSION },
      { clipId: welcome.id, position: 2, fromMinute: 1320, toMinute: 360, conditionCode: null },
    ]);
    expect(await db.waitingPlaylistEntry.count({ where: { queueId: clinic.followUpQueueId } })).toBe(3);
    expect((await api.listClips()).map((c) => [c.title, c.playlistEntries])).toEqual([
      ['welcome', 2],
      ['tips', 1],
    ]);
    expect(await db.auditEvent.count({ where: { clinicId: clinic.id, action: 'waiting-playlist.saved', subject: `Queue/${clinic.followUpQueueId}` } })).toBe(2);
    // Another queue's playlist is its own.
    expect((await api.playlist({ queueId: clinic.specialistQueueId })).entries).toEqual([]);
  });

  it('refuses another clinic’s clip or queue, minutes outside the day, half windows and long codes, changing nothing', async () => {
    const { clinic, admin } = await adminOf();
    const clip = await storedClip(clinic.id, 'mine');
    const other = await adminOf();
    const theirs = await storedClip(other.clinic.id, 'theirs');
    const api = caller(admin);
    await api.savePlaylist({ queueId: clinic.followUpQueueId, entries: [entry(clip.id)] });

    const save = (entries: PlaylistEntryInput[], queueId = clinic.followUpQueueId) => api.savePlaylist({ queueId, entries });
    await expect(save([entry(theirs.id)])).rejects.toMatchObject({ code: 'NOT_FOUND', cause: expect.objectContaining({ reason: 'clipNotFound' }) });
    await expect(save([entry(clip.id)], other.clinic.followUpQueueId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const bad of [
      entry(clip.id, { fromMinute: 1440, toMinute: 60 }),
      entry(clip.id, { fromMinute: -1, toMinute: 60 }),
      entry(clip.id, { fromMinute: 600, toMinute: null }),
      entry(clip.id, { fromMinute: 600, toMinute: 600 }),
      entry(clip.id, { conditionCode: 'x'.repeat(65) }),
      entry(clip.id, { conditionCode: '   ' }),
    ]) {
      await expect(save([bad])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      // The service checks on its own too, for callers other than the router.
      expect(await refusal(savePlaylist(admin, clinic.followUpQueueId, [bad]))).toMatchObject({ code: 'BAD_REQUEST', reason: 'invalidPlaylist' });
    }
    const nurse = staffPrincipal(await createStaff(clinic.id, 'NURSE'));
    await expect(caller(nurse).playlist({ queueId: clinic.followUpQueueId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await api.playlist({ queueId: clinic.followUpQueueId })).entries.map((e) => e.clipId)).toEqual([clip.id]);
  });

  it('leaves one of two saves at the same moment, never a mix of both', async () => {
    const { clinic, admin } = await adminOf();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => storedClip(clinic.id, name)));
    const first = [entry(a!.id), entry(b!.id)];
    const second = [entry(c!.id), entry(c!.id), entry(a!.id)];
    for (let round = 0; round < 5; round++) {
      await Promise.all([savePlaylist(admin, clinic.followUpQueueId, first), savePlaylist(admin, clinic.followUpQueueId, second)]);
      const clips = (await playlistOf(admin, clinic.followUpQueueId)).entries.map((e) => e.clipId);
      expect([first.map((e) => e.clipId), second.map((e) => e.clipId)]).toContainEqual(clips);
    }
  });
});

describe('clipsForCall', () => {
  /** A clinic whose follow-up queue plays a welcome, blood-pressure tips (hypertension only) and a night clip (22:00 to 06:00). */
  async function clinicWithPlaylist() {
    const { clinic, admin } = await adminOf();
    const welcome = await storedClip(clinic.id, 'welcome');
    const tips = await storedClip(clinic.id, 'tips');
    const night = await storedClip(clinic.id, 'night');
    const spare = await storedClip(clinic.id, 'spare');
    await savePlaylist(admin, clinic.followUpQueueId, [
      { clipId: welcome.id, fromMinute: null, toMinute: null, conditionCode: null },
      { clipId: tips.id, fromMinute: null, toMinute: null, conditionCode: HYPERTENSION },
      { clipId: night.id, fromMinute: 1320, toMinute: 360, conditionCode: null },
    ]);
    const file = (clip: { file: string }) => path.join(mediaDir, clip.file);
    return { clinic, admin, welcome, tips, night, spare, file };
  }

  it('plays the queue’s playlist for the clinic’s clock and the patient’s chart (SNOMED or ICD-10), read through FHIR', async () => {
    const { clinic, welcome, tips, night, file } = await clinicWithPlaylist();
    const hypertensive = await chartWith([{ code: HYPERTENSION, system: SYSTEM.snomed, status: 'active' }]);
    const recovered = await chartWith([
      { code: HYPERTENSION, system: SYSTEM.snomed, status: 'resolved' },
      { code: '44054006', system: SYSTEM.snomed, status: 'active' },
    ]);
    const call = (patientFhirId: string | null, now: Date) =>
      clipsForCall({ clinicId: clinic.id, queueId: clinic.followUpQueueId, patientFhirId, now }, { mediaDir, gateway });

    expect(await call(hypertensive, NIGHT)).toEqual([file(welcome), file(tips), file(night)]);
    expect(await call(hypertensive, NOON)).toEqual([file(welcome), file(tips)]);
    expect(await call(recovered, NIGHT)).toEqual([file(welcome), file(night)]);
    expect(await call(null, NOON)).toEqual([file(welcome)]);

    // The entry may name the ICD-10 code instead.
    const icd = await adminOf();
    const bp = await storedClip(icd.clinic.id, 'bp');
    await savePlaylist(icd.admin, icd.clinic.followUpQueueId, [{ clipId: bp.id, fromMinute: null, toMinute: null, conditionCode: 'I10' }]);
    const icdChart = await chartWith([{ code: 'I10', system: SYSTEM.icd10, status: 'active' }]);
    expect(
      await clipsForCall({ clinicId: icd.clinic.id, queueId: icd.clinic.followUpQueueId, patientFhirId: icdChart, now: NOON }, { mediaDir, gateway }),
    ).toEqual([file(bp)]);
  });

  it('plays the untargeted clips when the EHR is down or slow, and reads no chart when nothing targets one', async () => {
    const { clinic, welcome, night, file } = await clinicWithPlaylist();
    const hypertensive = await chartWith([{ code: HYPERTENSION, system: SYSTEM.snomed, status: 'active' }]);
    const call = { clinicId: clinic.id, queueId: clinic.followUpQueueId, patientFhirId: hypertensive, now: NIGHT };
    const started = Date.now();
    expect(await clipsForCall(call, { mediaDir, gateway: downGateway })).toEqual([file(welcome), file(night)]);
    const hanging: FhirGateway = { ...gateway, search: () => new Promise(() => {}) };
    expect(await clipsForCall(call, { mediaDir, gateway: hanging, chartDeadlineMs: 300 })).toEqual([file(welcome), file(night)]);
    expect(Date.now() - started).toBeLessThan(5000);

    const untargeted = await adminOf();
    const clip = await storedClip(untargeted.clinic.id, 'only');
    await savePlaylist(untargeted.admin, untargeted.clinic.followUpQueueId, [{ clipId: clip.id, fromMinute: null, toMinute: null, conditionCode: null }]);
    const unused: FhirGateway = { ...gateway, search: () => Promise.reject(new Error('the chart should not be read')) };
    const before = await db.auditEvent.count({ where: { clinicId: untargeted.clinic.id, action: 'chart.read' } });
    expect(
      await clipsForCall(
        { clinicId: untargeted.clinic.id, queueId: untargeted.clinic.followUpQueueId, patientFhirId: hypertensive, now: NIGHT },
        { mediaDir, gateway: unused },
      ),
    ).toEqual([file(clip)]);
    expect(await db.auditEvent.count({ where: { clinicId: untargeted.clinic.id, action: 'chart.read' } })).toBe(before);
  });

  it('audits the chart read, and copies nothing from the chart into the portal', async () => {
    const { clinic } = await clinicWithPlaylist();
    const patient = await createPatient(clinic.id);
    const fhirId = await chartWith([{ code: HYPERTENSION, system: SYSTEM.snomed, status: 'active' }]);
    await clipsForCall(
      { clinicId: clinic.id, queueId: clinic.followUpQueueId, patientFhirId: fhirId, patientId: patient.id, now: NOON },
      { mediaDir, gateway },
    );
    const audit = await db.auditEvent.findFirstOrThrow({ where: { clinicId: clinic.id, action: 'chart.read' } });
    expect(audit).toMatchObject({ actor: 'system:waiting-clips', patientId: patient.id, detail: { fhirPatientId: fhirId } });
    expect(JSON.stringify(audit.detail)).not.toContain(HYPERTENSION);
  });

  it('falls back: the clinic’s other clips in upload order, then the house clips at the top of the folder by name, then none', async () => {
    const { clinic, spare, file } = await clinicWithPlaylist();
    // The queue's playlist becomes a night clip only: at noon nothing in it fits.
    const nightOnly = await storedClip(clinic.id, 'night-only', mediaDir, new Date(Date.now() + 1000));
    await db.waitingPlaylistEntry.deleteMany({ where: { queueId: clinic.followUpQueueId } });
    await db.waitingPlaylistEntry.create({
      data: { clinicId: clinic.id, queueId: clinic.followUpQueueId, clipId: nightOnly.id, position: 0, fromMinute: 1320, toMinute: 360 },
    });
    const call = (queueId: string | null, clinicId = clinic.id, root = mediaDir) =>
      clipsForCall({ clinicId, queueId, patientFhirId: null, now: NOON }, { mediaDir: root, gateway });

    // Nothing in the playlist fits now: the clinic's clips outside it, oldest first; never the night-only clip at noon.
    const others = await call(clinic.followUpQueueId);
    expect(others).toContain(file(spare));
    expect(others).not.toContain(file(nightOnly));
    // No playlist for this queue, or no queue: every clip of the clinic in upload order.
    const all = (await db.waitingClip.findMany({ where: { clinicId: clinic.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(file);
    expect(await call(clinic.specialistQueueId)).toEqual(all);
    expect(await call(null)).toEqual(all);

    // A clinic without clips: the house clips at the top level, by name (not other folders, not other files).
    const bare = await createClinic();
    const houseDir = path.join(work, 'house');
    mkdirSync(path.join(houseDir, 'some-clinic'), { recursive: true });
    for (const name of ['welcome.mp4', 'blood-pressure-tips.mp4', 'notes.txt', '.partial.mp4', 'some-clinic/x.mp4'])
      writeFileSync(path.join(houseDir, name), name);
    expect(await call(null, bare.id, houseDir)).toEqual([path.join(houseDir, 'blood-pressure-tips.mp4'), path.join(houseDir, 'welcome.mp4')]);
    expect(await call(null, bare.id, path.join(work, 'nothing-here'))).toEqual([]);

    // A clip whose file has gone is skipped.
    rmSync(file(spare));
    expect(await call(clinic.specialistQueueId)).not.toContain(file(spare));
  });
});

describe('chooseWaitingClips (the agents worker’s entry)', () => {
  it('reads the patient’s chart by their FHIR id, in the stack’s media folder; never throws', async () => {
    const { clinic, admin } = await adminOf();
    const root = path.resolve(env().WAITING_MEDIA_DIR);
    const welcome = await storedClip(clinic.id, 'welcome', root);
    const tips = await storedClip(clinic.id, 'tips', root);
    await savePlaylist(admin, clinic.followUpQueueId, [
      { clipId: welcome.id, fromMinute: null, toMinute: null, conditionCode: null },
      { clipId: tips.id, fromMinute: null, toMinute: null, conditionCode: HYPERTENSION },
    ]);
    const patient = await createPatient(clinic.id);
    await db.patient.update({
      where: { id: patient.id },
      data: { fhirPatientId: await chartWith([{ code: HYPERTENSION, system: SYSTEM.snomed, status: 'active' }]) },
    });
    const withoutChart = await createPatient(clinic.id);
    const stranger = await createPatient((await createClinic()).id);

    const paths = (clips: { file: string }[]) => clips.map((clip) => path.join(root, clip.file));
    expect(await chooseWaitingClips(clinic.id, { queueId: clinic.followUpQueueId, patientId: patient.id })).toEqual(paths([welcome, tips]));
    expect(await chooseWaitingClips(clinic.id, { queueId: clinic.followUpQueueId, patientId: withoutChart.id })).toEqual(paths([welcome]));
    // Another clinic's patient is nobody here.
    expect(await chooseWaitingClips(clinic.id, { queueId: clinic.followUpQueueId, patientId: stranger.id })).toEqual(paths([welcome]));
    // The old call, with the clinic only: its clips in upload order.
    expect(await chooseWaitingClips(clinic.id)).toEqual(paths([welcome, tips]));
    rmSync(path.join(root, clinic.id), { recursive: true, force: true });
  });
});
