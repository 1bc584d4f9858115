'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { minutesAndSeconds } from '@/components/hooks/use-now';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import type { DomainErrorCode } from '@/server/errors';
import type { Messages } from '@/server/shared/i18n/dictionaries';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import {
  CLIP_TITLE_MAX,
  CLIP_UPLOAD_MAX_BYTES,
  CLIP_UPLOAD_URL,
  CONDITION_CODE_MAX,
  PLAYLIST_MAX_ENTRIES,
  formatClock,
  parseClock,
  savePlaylistInput,
  type PlaylistEntryInput,
} from '@/server/shared/schemas/waiting-media';
import styles from './waiting-media.module.css';

type Outputs = inferRouterOutputs<AppRouter>['waitingMedia'];
type Clip = Outputs['listClips'][number];
type Playlist = Outputs['playlist'];
type Strings = Pick<Messages, 'errors' | 'waitingMedia' | 'common'>;

// ---------------------------------------------------------------------------------------------
// Uploading: XMLHttpRequest, whose upload events report real progress (fetch reports none for a request body). The
// server converts the clip before it answers, so after the last byte the screen says "converting" until the answer.

type UploadState =
  | { kind: 'idle' }
  | { kind: 'uploading'; percent: number }
  | { kind: 'converting' }
  | { kind: 'added'; title: string }
  | { kind: 'refused'; message: string; field: 'title' | 'file' | null };

type UploadReply = { status: number; body: { reason?: string | null } | null };

function sendClip(form: FormData, on: { progress: (fraction: number) => void; sent: () => void }, signal: AbortSignal): Promise<UploadReply> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', CLIP_UPLOAD_URL);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) on.progress(event.loaded / event.total);
    };
    xhr.upload.onload = () => on.sent();
    xhr.onload = () => {
      let body: UploadReply['body'] = null;
      try {
        body = JSON.parse(xhr.responseText) as UploadReply['body'];
      } catch {
        // Not JSON (a proxy's error page): the status alone says what happened.
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('upload failed'));
    xhr.onabort = () => reject(new Error('upload cancelled'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

const CODE_OF_STATUS: Record<number, DomainErrorCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'BAD_REQUEST' };

function UploadForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n('errors', 'waitingMedia');
  const w = t.waitingMedia;
  const id = useId();
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [problems, setProblems] = useState<{ title?: string; file?: string }>({});
  const [state, setState] = useState<UploadState>({ kind: 'idle' });
  const titleInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const running = useRef<AbortController | null>(null);
  useEffect(() => () => running.current?.abort(), []);

  const busy = state.kind === 'uploading' || state.kind === 'converting';
  const refusedAt = (field: 'title' | 'file' | null) => (state.kind === 'refused' && state.field === field ? state.message : undefined);
  const titleError = problems.title ?? refusedAt('title');
  const fileError = problems.file ?? refusedAt('file');

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const trimmed = title.trim();
    const found: { title?: string; file?: string } = {};
    if (trimmed.length === 0 || trimmed.length > CLIP_TITLE_MAX) found.title = format(w.errorTitle, { max: CLIP_TITLE_MAX });
    if (!file) found.file = w.errorFile;
    else if (file.size > CLIP_UPLOAD_MAX_BYTES) found.file = t.errors.clipTooLarge;
    setProblems(found);
    if (found.title || found.file || !file) {
      setState({ kind: 'idle' });
      (found.title ? titleInput : fileInput).current?.focus();
      return;
    }

    const form = new FormData();
    form.set('title', trimmed);
    form.set('file', file);
    const controller = new AbortController();
    running.current = controller;
    setState({ kind: 'uploading', percent: 0 });
    try {
      const reply = await sendClip(
        form,
        {
          progress: (fraction) => setState({ kind: 'uploading', percent: Math.min(100, Math.round(fraction * 100)) }),
          sent: () => setState({ kind: 'converting' }),
        },
        controller.signal,
      );
      if (controller.signal.aborted) return;
      if (reply.status === 201) {
        setState({ kind: 'added', title: trimmed });
        setTitle('');
        setFile(null);
        if (fileInput.current) fileInput.current.value = '';
        onAdded();
        return;
      }
      const reason = reply.body?.reason ?? null;
      const message = errorMessage({ reason, code: CODE_OF_STATUS[reply.status] }, t, {
        codes: { BAD_REQUEST: w.uploadRefused, FORBIDDEN: t.errors.forbidden, UNAUTHORIZED: t.errors.signInRequired },
      });
      const field = reason === 'clipTitleInvalid' ? 'title' : reason?.startsWith('clip') ? 'file' : null;
      setState({ kind: 'refused', message, field });
      if (field) (field === 'title' ? titleInput : fileInput).current?.focus();
    } catch {
      if (!controller.signal.aborted) setState({ kind: 'refused', message: w.uploadInterrupted, field: null });
    } finally {
      if (running.current === controller) running.current = null;
    }
  }

  const status =
    state.kind === 'uploading'
      ? w.uploading
      : state.kind === 'converting'
        ? w.converting
        : state.kind === 'added'
          ? format(w.uploaded, { title: state.title })
          : '';

  return (
    <form className={styles.form} aria-labelledby={`${id}-title`} onSubmit={onSubmit} noValidate>
      <h3 id={`${id}-title`}>{w.uploadTitle}</h3>
      <div className={styles.field}>
        <label htmlFor={`${id}-clip-title`}>{w.clipTitle}</label>
        <input
          ref={titleInput}
          id={`${id}-clip-title`}
          name="title"
          value={title}
          maxLength={CLIP_TITLE_MAX}
          required
          autoComplete="off"
          onChange={(event) => {
            setTitle(event.target.value);
            setProblems((p) => ({ ...p, title: undefined }));
          }}
          aria-invalid={titleError ? true : undefined}
          aria-describedby={titleError ? `${id}-title-error` : undefined}
        />
        {titleError && (
          <p id={`${id}-title-error`} className="field-error">
            {titleError}
          </p>
        )}
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-file`}>{w.file}</label>
        <input
          ref={fileInput}
          id={`${id}-file`}
          name="file"
          type="file"
          accept="video/mp4,video/webm,.mp4,.webm"
          required
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setProblems((p) => ({ ...p, file: undefined }));
          }}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? `${id}-file-error ${id}-file-hint` : `${id}-file-hint`}
        />
        <p id={`${id}-file-hint`} className="field-hint">
          {w.fileHint}
        </p>
        {fileError && (
          <p id={`${id}-file-error`} className="field-error" role={problems.file ? undefined : 'alert'}>
            {fileError}
          </p>
        )}
      </div>
      {busy && (
        <div className={styles.progress}>
          <div
            role="progressbar"
            aria-label={w.uploadProgress}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={state.kind === 'uploading' ? state.percent : undefined}
            aria-valuetext={state.kind === 'uploading' ? format(w.uploadPercent, { percent: state.percent }) : w.converting}
            className={styles.bar}
            data-indeterminate={state.kind === 'converting'}
          >
            <span style={{ width: state.kind === 'uploading' ? `${state.percent}%` : undefined }} />
          </div>
          {state.kind === 'uploading' && <span aria-hidden="true">{state.percent}%</span>}
        </div>
      )}
      <div className={styles.actions}>
        <button className="button" type="submit" disabled={busy}>
          {w.upload}
        </button>
        <p role="status">{status}</p>
      </div>
      {state.kind === 'refused' && state.field === null && (
        <p role="alert" className="alert">
          {state.message}
        </p>
      )}
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// The clinic's clips, with a delete that asks first.

function ClipList({ clips, onDeleted }: { clips: Clip[]; onDeleted: () => void }) {
  const { t } = useI18n('errors', 'waitingMedia');
  const w = t.waitingMedia;
  const trpc = useTRPC();
  const id = useId();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const pendingFocus = useRef<string | null>(null);
  useEffect(() => {
    if (!pendingFocus.current) return;
    document.getElementById(pendingFocus.current)?.focus();
    pendingFocus.current = null;
  });
  const remove = useMutation(
    trpc.waitingMedia.deleteClip.mutationOptions({
      onSuccess: (_result, input) => {
        setDeleted(clips.find((clip) => clip.id === input.clipId)?.title ?? '');
        setConfirming(null);
        pendingFocus.current = `${id}-heading`;
        onDeleted();
      },
      // A clip already deleted elsewhere: the refreshed list no longer shows it.
      onError: (error) => error.data?.reason === 'clipNotFound' && onDeleted(),
    }),
  );
  const ask = (clipId: string | null, focus: string) => {
    remove.reset();
    setConfirming(clipId);
    pendingFocus.current = focus;
  };
  const onKeyDown = (clipId: string) => (event: KeyboardEvent) => {
    if (event.key === 'Escape') ask(null, `${id}-delete-${clipId}`);
  };

  return (
    <div>
      <h3 id={`${id}-heading`} tabIndex={-1}>
        {w.clipsTitle}
      </h3>
      {clips.length === 0 ? (
        <p className="notice">{w.clipsEmpty}</p>
      ) : (
        <ul className={styles.clips} aria-labelledby={`${id}-heading`}>
          {clips.map((clip) => (
            <li key={clip.id} className={styles.clip}>
              <div className={styles.clipText}>
                <strong>{clip.title}</strong>
                <span className="muted">
                  {format(w.clipDuration, { duration: minutesAndSeconds(clip.durationSeconds) })} ·{' '}
                  {clip.playlistEntries > 0 ? format(w.inPlaylists, { count: clip.playlistEntries }) : w.inNoPlaylist}
                </span>
              </div>
              {confirming === clip.id ? (
                <div className={styles.confirm} role="group" aria-labelledby={`${id}-confirm-${clip.id}`} onKeyDown={onKeyDown(clip.id)}>
                  <p id={`${id}-confirm-${clip.id}`}>{format(w.confirmDelete, { title: clip.title })}</p>
                  <button
                    className={`button danger ${styles.small}`}
                    type="button"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate({ clipId: clip.id })}
                  >
                    {remove.isPending ? w.deleting : w.confirmDeleteYes}
                  </button>
                  <button
                    id={`${id}-keep-${clip.id}`}
                    className={`button secondary ${styles.small}`}
                    type="button"
                    onClick={() => ask(null, `${id}-delete-${clip.id}`)}
                  >
                    {w.confirmDeleteNo}
                  </button>
                </div>
              ) : (
                <button
                  id={`${id}-delete-${clip.id}`}
                  className={`button secondary ${styles.small}`}
                  type="button"
                  aria-label={format(w.deleteLabel, { title: clip.title })}
                  onClick={() => ask(clip.id, `${id}-keep-${clip.id}`)}
                >
                  {w.delete}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="visually-hidden">
        {deleted !== null ? format(w.deleted, { title: deleted }) : ''}
      </p>
      {remove.isError && (
        <p role="alert" className="alert">
          {errorMessage(remove.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// A queue's playlist: its clips in order, each with an optional time of day and condition code.

type Draft = { key: string; clipId: string; from: string; to: string; conditionCode: string };
type EntryField = 'clipId' | 'from' | 'to' | 'conditionCode';
type Problems = Record<string, Partial<Record<EntryField, string>>>;

let drafted = 0;
const newKey = () => `new-${++drafted}`;

const draftOf = (entry: Playlist['entries'][number]): Draft => ({
  key: entry.id,
  clipId: entry.clipId,
  from: entry.fromMinute === null ? '' : formatClock(entry.fromMinute),
  to: entry.toMinute === null ? '' : formatClock(entry.toMinute),
  conditionCode: entry.conditionCode ?? '',
});

/** What is wrong where, in the reader's words; the entries to send when nothing is. */
function checkDraft(draft: Draft[], clips: Clip[], w: Strings['waitingMedia']): { problems: Problems; entries: PlaylistEntryInput[] | null } {
  const problems: Problems = {};
  const entries = draft.map((entry) => {
    const found: Partial<Record<EntryField, string>> = {};
    if (!clips.some((clip) => clip.id === entry.clipId)) found.clipId = w.errorClip;
    const from = parseClock(entry.from);
    const to = parseClock(entry.to);
    if (from === undefined) found.from = w.errorTime;
    if (to === undefined) found.to = w.errorTime;
    if (from !== undefined && to !== undefined) {
      if (from === null && to !== null) found.from = w.errorWindowPair;
      if (to === null && from !== null) found.to = w.errorWindowPair;
      if (from !== null && from === to) found.to = w.errorWindowSame;
    }
    const code = entry.conditionCode.trim();
    if (code.length > CONDITION_CODE_MAX || /\s/.test(code)) found.conditionCode = format(w.errorCondition, { max: CONDITION_CODE_MAX });
    if (Object.keys(found).length > 0) problems[entry.key] = found;
    return { clipId: entry.clipId, fromMinute: from ?? null, toMinute: to ?? null, conditionCode: code || null };
  });
  if (Object.keys(problems).length > 0) return { problems, entries: null };
  // The server's own schema has the last word: anything it refuses is marked where it points.
  const parsed = savePlaylistInput.safeParse({ queueId: 'draft', entries });
  if (parsed.success) return { problems, entries: parsed.data.entries };
  for (const issue of parsed.error.issues) {
    const [, index, field] = issue.path;
    const entry = typeof index === 'number' ? draft[index] : undefined;
    if (!entry) continue;
    const at: EntryField = field === 'fromMinute' ? 'from' : field === 'toMinute' ? 'to' : field === 'conditionCode' ? 'conditionCode' : 'clipId';
    problems[entry.key] = { ...problems[entry.key], [at]: w.invalid };
  }
  return { problems, entries: null };
}

const FIELD_ORDER: EntryField[] = ['clipId', 'from', 'to', 'conditionCode'];

function PlaylistForm({ queueId, playlist, clips }: { queueId: string; playlist: Playlist; clips: Clip[] }) {
  const { t } = useI18n('errors', 'waitingMedia');
  const w = t.waitingMedia;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<Draft[]>(() => playlist.entries.map(draftOf));
  const [problems, setProblems] = useState<Problems>({});
  const [announcement, setAnnouncement] = useState('');
  const pendingFocus = useRef<string | null>(null);
  useEffect(() => {
    if (!pendingFocus.current) return;
    document.getElementById(pendingFocus.current)?.focus();
    pendingFocus.current = null;
  });

  const refreshClips = () => queryClient.invalidateQueries({ queryKey: trpc.waitingMedia.listClips.queryKey() });
  const save = useMutation(
    trpc.waitingMedia.savePlaylist.mutationOptions({
      onSuccess: async (saved) => {
        setDraft(saved.entries.map(draftOf));
        queryClient.setQueryData(trpc.waitingMedia.playlist.queryKey({ queueId }), saved);
        await refreshClips();
      },
      onError: async (error) => {
        if (error.data?.reason === 'clipNotFound') await refreshClips();
      },
    }),
  );

  const fieldId = (key: string, field: EntryField | 'up' | 'down') => `${id}-${key}-${field}`;
  const edit = (key: string, field: EntryField, value: string) => {
    save.reset();
    setDraft((entries) => entries.map((entry) => (entry.key === key ? { ...entry, [field]: value } : entry)));
    setProblems((all) => (all[key]?.[field] ? { ...all, [key]: { ...all[key], [field]: undefined } } : all));
  };
  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    const entry = draft[index]!;
    save.reset();
    setDraft((entries) => {
      const next = [...entries];
      next.splice(index, 1);
      next.splice(target, 0, entry);
      return next;
    });
    setAnnouncement(format(w.moved, { n: target + 1 }));
    // Focus stays on the button pressed, unless the clip reached the end and that button is now disabled.
    const atEnd = delta < 0 ? target === 0 : target === draft.length - 1;
    pendingFocus.current = fieldId(entry.key, delta < 0 ? (atEnd ? 'down' : 'up') : atEnd ? 'up' : 'down');
  };
  const removeAt = (index: number) => {
    save.reset();
    setDraft((entries) => entries.filter((_, i) => i !== index));
    setAnnouncement(w.removed);
    pendingFocus.current = `${id}-add`;
  };
  const add = () => {
    const key = newKey();
    save.reset();
    setDraft((entries) => [...entries, { key, clipId: clips[0]?.id ?? '', from: '', to: '', conditionCode: '' }]);
    pendingFocus.current = fieldId(key, 'clipId');
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = checkDraft(draft, clips, w);
    setProblems(checked.problems);
    if (!checked.entries) {
      const first = draft.find((entry) => checked.problems[entry.key]);
      const field = first && FIELD_ORDER.find((f) => checked.problems[first.key]?.[f]);
      if (first && field) pendingFocus.current = fieldId(first.key, field);
      save.reset();
      return;
    }
    save.mutate({ queueId, entries: checked.entries });
  }

  const hasProblems = Object.keys(problems).length > 0;
  const failure = hasProblems
    ? w.invalid
    : save.error
      ? errorMessage(save.error, t, { codes: { BAD_REQUEST: w.invalid, FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound } })
      : null;

  const describedBy = (key: string, field: EntryField, ...hints: string[]) =>
    [problems[key]?.[field] ? `${fieldId(key, field)}-error` : null, ...hints].filter(Boolean).join(' ') || undefined;
  const errorOf = (key: string, field: EntryField) =>
    problems[key]?.[field] && (
      <p id={`${fieldId(key, field)}-error`} className="field-error">
        {problems[key][field]}
      </p>
    );

  return (
    <form className={styles.media} aria-label={format(w.playlistOf, { queue: playlist.queueName })} onSubmit={onSubmit} noValidate>
      <p className="muted">{format(w.timeZoneNote, { timeZone: playlist.timeZone })}</p>
      {draft.length === 0 && <p className="notice">{clips.length === 0 ? w.needClips : w.playlistEmpty}</p>}
      {draft.length > 0 && (
        <ol className={styles.entries}>
          {draft.map((entry, index) => {
            const n = index + 1;
            const known = clips.some((clip) => clip.id === entry.clipId);
            return (
              <li key={entry.key}>
                <fieldset className={styles.entry}>
                  <legend>{format(w.entryLegend, { n })}</legend>
                  <div className={styles.entryFields}>
                    <div className={styles.field}>
                      <label htmlFor={fieldId(entry.key, 'clipId')}>{w.clip}</label>
                      <select
                        id={fieldId(entry.key, 'clipId')}
                        value={entry.clipId}
                        onChange={(event) => edit(entry.key, 'clipId', event.target.value)}
                        aria-invalid={problems[entry.key]?.clipId ? true : undefined}
                        aria-describedby={describedBy(entry.key, 'clipId')}
                      >
                        {!known && <option value={entry.clipId}>{w.deletedClip}</option>}
                        {clips.map((clip) => (
                          <option key={clip.id} value={clip.id}>
                            {clip.title}
                          </option>
                        ))}
                      </select>
                      {errorOf(entry.key, 'clipId')}
                    </div>
                    <fieldset className={styles.windowGroup} aria-describedby={`${fieldId(entry.key, 'from')}-hint`}>
                      <legend>{w.window}</legend>
                      <div className={styles.window}>
                        {(['from', 'to'] as const).map((field) => (
                          <div className={styles.field} key={field}>
                            <label htmlFor={fieldId(entry.key, field)}>{field === 'from' ? w.from : w.to}</label>
                            <input
                              id={fieldId(entry.key, field)}
                              type="time"
                              step={60}
                              value={entry[field]}
                              onChange={(event) => edit(entry.key, field, event.target.value)}
                              aria-invalid={problems[entry.key]?.[field] ? true : undefined}
                              aria-describedby={describedBy(entry.key, field)}
                            />
                            {errorOf(entry.key, field)}
                          </div>
                        ))}
                      </div>
                      <p id={`${fieldId(entry.key, 'from')}-hint`} className="field-hint">
                        {w.windowHint}
                      </p>
                    </fieldset>
                    <div className={styles.field}>
                      <label htmlFor={fieldId(entry.key, 'conditionCode')}>{w.condition}</label>
                      <input
                        id={fieldId(entry.key, 'conditionCode')}
                        value={entry.conditionCode}
                        autoComplete="off"
                        spellCheck={false}
                        maxLength={CONDITION_CODE_MAX + 10}
                        onChange={(event) => edit(entry.key, 'conditionCode', event.target.value)}
                        aria-invalid={problems[entry.key]?.conditionCode ? true : undefined}
                        aria-describedby={describedBy(entry.key, 'conditionCode', `${fieldId(entry.key, 'conditionCode')}-hint`)}
                      />
                      <p id={`${fieldId(entry.key, 'conditionCode')}-hint`} className="field-hint">
                        {w.conditionHint}
                      </p>
                      {errorOf(entry.key, 'conditionCode')}
                    </div>
                  </div>
                  <div className={styles.entryActions}>
                    <button
                      id={fieldId(entry.key, 'up')}
                      className={`button secondary ${styles.small}`}
                      type="button"
                      disabled={index === 0}
                      onClick={() => move(index, -1)}
                    >
                      <span aria-hidden="true">↑</span>
                      <span className="visually-hidden">{format(w.moveUp, { n })}</span>
                    </button>
                    <button
                      id={fieldId(entry.key, 'down')}
                      className={`button secondary ${styles.small}`}
                      type="button"
                      disabled={index === draft.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      <span aria-hidden="true">↓</span>
                      <span className="visually-hidden">{format(w.moveDown, { n })}</span>
                    </button>
                    <button className={`button secondary ${styles.small}`} type="button" onClick={() => removeAt(index)}>
                      {format(w.remove, { n })}
                    </button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
      )}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      <div className={styles.actions}>
        <button
          id={`${id}-add`}
          className="button secondary"
          type="button"
          onClick={add}
          disabled={clips.length === 0 || draft.length >= PLAYLIST_MAX_ENTRIES}
          aria-describedby={draft.length >= PLAYLIST_MAX_ENTRIES ? `${id}-full` : undefined}
        >
          {w.addClip}
        </button>
        <button className="button" type="submit" disabled={save.isPending}>
          {save.isPending ? w.saving : w.save}
        </button>
        <p role="status">{save.isSuccess ? w.saved : ''}</p>
      </div>
      {draft.length >= PLAYLIST_MAX_ENTRIES && (
        <p id={`${id}-full`} className="field-hint">
          {format(w.tooMany, { max: PLAYLIST_MAX_ENTRIES })}
        </p>
      )}
      {failure && (
        <p role="alert" className="alert">
          {failure}
        </p>
      )}
    </form>
  );
}

function PlaylistEditor({ queueId, clips }: { queueId: string; clips: Clip[] }) {
  const { t } = useI18n('errors', 'waitingMedia');
  const trpc = useTRPC();
  const playlist = useQuery(trpc.waitingMedia.playlist.queryOptions({ queueId }));
  if (playlist.isPending) {
    return (
      <p className="muted" role="status">
        {t.common.loading}
      </p>
    );
  }
  if (playlist.isError) {
    return (
      <p role="alert" className="alert">
        {errorMessage(playlist.error, t, { codes: { FORBIDDEN: t.errors.forbidden, NOT_FOUND: t.errors.notFound } })}
      </p>
    );
  }
  return <PlaylistForm queueId={queueId} playlist={playlist.data} clips={clips} />;
}

function Playlists({ clips }: { clips: Clip[] }) {
  const { t } = useI18n('errors', 'waitingMedia');
  const w = t.waitingMedia;
  const trpc = useTRPC();
  const id = useId();
  const queues = useQuery(trpc.queues.list.queryOptions());
  const [chosen, setChosen] = useState('');
  const queueId = queues.data?.find((queue) => queue.id === chosen)?.id ?? queues.data?.[0]?.id;

  return (
    <div>
      <h3 id={`${id}-heading`}>{w.playlistsTitle}</h3>
      {queues.isPending ? (
        <p className="muted" role="status">
          {t.common.loading}
        </p>
      ) : queues.isError ? (
        <p role="alert" className="alert">
          {errorMessage(queues.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      ) : !queueId ? (
        <p className="notice">{w.noQueues}</p>
      ) : (
        <div className={styles.media}>
          <div className={styles.field} style={{ maxWidth: '24rem' }}>
            <label htmlFor={`${id}-queue`}>{w.queue}</label>
            <select id={`${id}-queue`} value={queueId} onChange={(event) => setChosen(event.target.value)}>
              {queues.data.map((queue) => (
                <option key={queue.id} value={queue.id}>
                  {queue.name}
                </option>
              ))}
            </select>
          </div>
          <PlaylistEditor key={queueId} queueId={queueId} clips={clips} />
        </div>
      )}
    </div>
  );
}

/** The admin screen's waiting-room media: the clinic's clips (upload, delete) and each queue's playlist. */
export function WaitingMedia() {
  const { t } = useI18n('errors', 'waitingMedia');
  const w = t.waitingMedia;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const clips = useQuery(trpc.waitingMedia.listClips.queryOptions());
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.waitingMedia.listClips.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.waitingMedia.playlist.pathKey() });
  };

  return (
    <section aria-labelledby="waiting-media-title" className={styles.media}>
      <h2 id="waiting-media-title">{w.title}</h2>
      <p className={`muted ${styles.intro}`}>{w.intro}</p>
      {clips.isPending ? (
        <p className="muted" role="status">
          {t.common.loading}
        </p>
      ) : clips.isError ? (
        <p role="alert" className="alert">
          {errorMessage(clips.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
        </p>
      ) : (
        <>
          <ClipList clips={clips.data} onDeleted={refresh} />
          <UploadForm onAdded={refresh} />
          <Playlists clips={clips.data} />
        </>
      )}
    </section>
  );
}
