// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, renderScreen, type Answers } from '@/components/testing/render-screen';
import { dictionaries } from '@/server/shared/i18n/dictionaries';
import { format } from '@/server/shared/i18n/format';
import { CLIP_UPLOAD_MAX_BYTES, CLIP_UPLOAD_URL, type PlaylistEntryInput } from '@/server/shared/schemas/waiting-media';
import { WaitingMedia } from './waiting-media';

const { en } = dictionaries;
const zh = dictionaries['zh-CN'];
const w = en.waitingMedia;

const welcome = { id: 'clip-welcome', title: '欢迎 Welcome', durationSeconds: 20, createdAt: '2026-12-01T02:00:00.000Z', playlistEntries: 1 };
const tips = { id: 'clip-bp', title: '血压小贴士 Blood pressure tips', durationSeconds: 125.4, createdAt: '2026-12-01T02:05:00.000Z', playlistEntries: 0 };
const queues = [
  { id: 'q-follow-up', name: '复诊 Follow-up' },
  { id: 'q-specialist', name: '专科会诊 Specialist consults' },
];
const playlistOf = (queueId: string, entries: (PlaylistEntryInput & { id?: string })[] = []) => ({
  queueId,
  queueName: queues.find((q) => q.id === queueId)!.name,
  timeZone: 'Asia/Shanghai',
  entries: entries.map((entry, position) => ({ id: entry.id ?? `entry-${position}`, position, ...entry })),
});
const followUp = playlistOf('q-follow-up', [{ id: 'e1', clipId: 'clip-welcome', fromMinute: null, toMinute: null, conditionCode: null }]);

/** A stand-in for the browser's XMLHttpRequest: the test says when bytes are sent and what the server answers. */
class FakeXhr {
  static sent: FakeXhr[] = [];
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null; onload: (() => void) | null } = {
    onprogress: null,
    onload: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = '';
  method = '';
  url = '';
  body: FormData | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: FormData) {
    this.body = body;
    FakeXhr.sent.push(this);
  }
  abort() {
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ lengthComputable: true, loaded, total }));
  }
  allSent() {
    act(() => this.upload.onload?.());
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    act(() => this.onload?.());
  }
  fail() {
    act(() => this.onerror?.());
  }
}

beforeEach(() => {
  FakeXhr.sent = [];
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
});
afterEach(() => vi.unstubAllGlobals());

function open(answers: Answers = {}, locale: 'en' | 'zh-CN' = 'en') {
  return renderScreen(<WaitingMedia />, {
    locale,
    answers: {
      'waitingMedia.listClips': () => ({ data: [welcome, tips] }),
      'queues.list': () => ({ data: queues }),
      'waitingMedia.playlist': (input) => ({ data: (input as { queueId: string }).queueId === 'q-follow-up' ? followUp : playlistOf('q-specialist') }),
      ...answers,
    },
  });
}

const callsTo = (view: ReturnType<typeof open>, path: string) => view.calls.filter((c) => c.path === path);
/** The text of what a control is described by (its error, then its hint). */
const description = (control: HTMLElement) =>
  (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
const clipsList = () => within(screen.getByRole('list', { name: w.clipsTitle }));
const entry = (n: number) => screen.getByRole('group', { name: format(w.entryLegend, { n }) });
const video = (name = 'tips.webm', size?: number) => {
  const file = new File(['not really a video'], name, { type: 'video/webm' });
  if (size !== undefined) Object.defineProperty(file, 'size', { value: size });
  return file;
};
function fillUpload(title: string, file: File | null) {
  fireEvent.change(screen.getByRole('textbox', { name: w.clipTitle }), { target: { value: title } });
  if (file) fireEvent.change(screen.getByLabelText(w.file), { target: { files: [file] } });
  fireEvent.click(screen.getByRole('button', { name: w.upload }));
}

describe('WaitingMedia: clips', () => {
  it('says it is loading, then lists the clips with their length and use, or says there are none', async () => {
    const pending = deferred();
    open({ 'waitingMedia.listClips': () => pending.promise });
    expect(screen.getByRole('heading', { name: w.title, level: 2 })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe(en.common.loading);
    pending.settle({ data: [welcome, tips] });

    const items = await waitFor(() => clipsList().getAllByRole('listitem'));
    expect(items.map((item) => item.textContent)).toEqual([expect.stringContaining('欢迎 Welcome'), expect.stringContaining('血压小贴士 Blood pressure tips')]);
    expect(items[0]!.textContent).toContain(format(w.clipDuration, { duration: '0:20' }));
    expect(items[0]!.textContent).toContain(format(w.inPlaylists, { count: 1 }));
    expect(items[1]!.textContent).toContain(format(w.clipDuration, { duration: '2:05' }));
    expect(items[1]!.textContent).toContain(w.inNoPlaylist);
  });

  it('shows the empty state, and the reason when the list cannot be read', async () => {
    const view = open({ 'waitingMedia.listClips': () => ({ data: [] }) });
    await waitFor(() => expect(screen.getByText(w.clipsEmpty)).toBeTruthy());
    view.unmount();
    open({ 'waitingMedia.listClips': () => ({ refused: 'FORBIDDEN' }) });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.forbidden));
  });

  it('deletes a clip only after asking, from the keyboard, and refreshes the list and playlists', async () => {
    const view = open({ 'waitingMedia.deleteClip': () => ({ data: { id: 'clip-bp' } }) });
    await waitFor(() => entry(1));
    const remove = screen.getByRole('button', { name: format(w.deleteLabel, { title: tips.title }) });
    fireEvent.click(remove);
    const confirm = screen.getByRole('group', { name: format(w.confirmDelete, { title: tips.title }) });
    // The safe answer has the focus; Escape goes back to the delete button.
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: w.confirmDeleteNo }));
    fireEvent.keyDown(confirm, { key: 'Escape' });
    expect(screen.queryByRole('group', { name: format(w.confirmDelete, { title: tips.title }) })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: format(w.deleteLabel, { title: tips.title }) }));
    expect(callsTo(view, 'waitingMedia.deleteClip')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: format(w.deleteLabel, { title: tips.title }) }));
    fireEvent.click(screen.getByRole('button', { name: w.confirmDeleteYes }));
    await waitFor(() => expect(screen.getByText(format(w.deleted, { title: tips.title }))).toBeTruthy());
    expect(callsTo(view, 'waitingMedia.deleteClip').map((c) => c.input)).toEqual([{ clipId: 'clip-bp' }]);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: w.clipsTitle }));
    await waitFor(() => expect(callsTo(view, 'waitingMedia.listClips')).toHaveLength(2));
    await waitFor(() => expect(callsTo(view, 'waitingMedia.playlist')).toHaveLength(2));
  });

  it('says why a delete was refused', async () => {
    open({ 'waitingMedia.deleteClip': () => ({ refused: 'NOT_FOUND', reason: 'clipNotFound' }) });
    fireEvent.click(await waitFor(() => screen.getByRole('button', { name: format(w.deleteLabel, { title: welcome.title }) })));
    fireEvent.click(screen.getByRole('button', { name: w.confirmDeleteYes }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.clipNotFound));
  });
});

describe('WaitingMedia: upload', () => {
  it('shows the upload’s progress, then converting, then the new clip', async () => {
    const view = open();
    await waitFor(() => clipsList());
    fillUpload('  Exercise at home  ', video('exercise.webm'));

    const xhr = FakeXhr.sent[0]!;
    expect([xhr.method, xhr.url]).toEqual(['POST', CLIP_UPLOAD_URL]);
    expect(xhr.body!.get('title')).toBe('Exercise at home');
    expect((xhr.body!.get('file') as File).name).toBe('exercise.webm');
    const bar = screen.getByRole('progressbar', { name: w.uploadProgress });
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    xhr.progress(50, 200);
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuetext')).toBe(format(w.uploadPercent, { percent: 25 }));
    expect((screen.getByRole('button', { name: w.upload }) as HTMLButtonElement).disabled).toBe(true);
    xhr.progress(200, 200);
    xhr.allSent();
    // Converting has no honest percentage: the bar has no value until the server answers.
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull();
    expect(screen.getByText(w.converting)).toBeTruthy();

    xhr.respond(201, { id: 'clip-new', title: 'Exercise at home', durationSeconds: 30, createdAt: '2026-12-03T00:00:00Z', playlistEntries: 0 });
    await waitFor(() => expect(screen.getByText(format(w.uploaded, { title: 'Exercise at home' }))).toBeTruthy());
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect((screen.getByRole('textbox', { name: w.clipTitle }) as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(callsTo(view, 'waitingMedia.listClips')).toHaveLength(2));
  });

  it('marks a missing title or file, and a file over the limit, without sending anything', async () => {
    open();
    await waitFor(() => clipsList());
    fillUpload(' ', null);
    const title = screen.getByRole('textbox', { name: w.clipTitle });
    expect(title.getAttribute('aria-invalid')).toBe('true');
    expect(description(title)).toBe(format(w.errorTitle, { max: 120 }));
    expect(document.activeElement).toBe(title);
    expect(description(screen.getByLabelText(w.file))).toBe(`${w.errorFile} ${w.fileHint}`);

    fillUpload('Huge', video('huge.mp4', CLIP_UPLOAD_MAX_BYTES + 1));
    expect(title.getAttribute('aria-invalid')).toBeNull();
    expect(description(screen.getByLabelText(w.file))).toBe(`${en.errors.clipTooLarge} ${w.fileHint}`);
    expect(FakeXhr.sent).toHaveLength(0);
  });

  it('shows the server’s refusal with its reason at the file, in the reader’s language', async () => {
    open({}, 'zh-CN');
    await waitFor(() => screen.getByRole('list', { name: zh.waitingMedia.clipsTitle }));
    fireEvent.change(screen.getByRole('textbox', { name: zh.waitingMedia.clipTitle }), { target: { value: '太长的视频' } });
    fireEvent.change(screen.getByLabelText(zh.waitingMedia.file), { target: { files: [video('long.mp4')] } });
    fireEvent.click(screen.getByRole('button', { name: zh.waitingMedia.upload }));
    FakeXhr.sent[0]!.respond(400, { error: 'The video is longer than 10 minutes.', reason: 'clipTooLong' });

    const file = screen.getByLabelText(zh.waitingMedia.file);
    await waitFor(() => expect(file.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('alert').textContent).toBe(zh.errors.clipTooLong);
    expect(description(file)).toBe(`${zh.errors.clipTooLong} ${zh.waitingMedia.fileHint}`);
    expect(document.activeElement).toBe(file);
    // Nothing was sent as a clip: the title stays for another try.
    expect((screen.getByRole('textbox', { name: zh.waitingMedia.clipTitle }) as HTMLInputElement).value).toBe('太长的视频');
  });

  it('says the upload was interrupted when the connection fails, and names a 413 for what it is', async () => {
    open();
    await waitFor(() => clipsList());
    fillUpload('Tips', video());
    FakeXhr.sent[0]!.fail();
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(w.uploadInterrupted));

    fireEvent.click(screen.getByRole('button', { name: w.upload }));
    FakeXhr.sent[1]!.respond(413, { error: 'The file is larger than 200 MB.', reason: 'clipTooLarge' });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.clipTooLarge));
  });
});

describe('WaitingMedia: playlists', () => {
  it('edits a queue’s playlist: adds clips, a time window past midnight, a condition code, the order; and saves it', async () => {
    const view = open({
      'waitingMedia.savePlaylist': (input) => {
        const { queueId, entries } = input as { queueId: string; entries: PlaylistEntryInput[] };
        return { data: playlistOf(queueId, entries) };
      },
    });
    const first = await waitFor(() => entry(1));
    expect((within(first).getByRole('combobox', { name: w.clip }) as HTMLSelectElement).value).toBe('clip-welcome');
    expect(screen.getByText(format(w.timeZoneNote, { timeZone: 'Asia/Shanghai' }))).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: w.addClip }));
    const second = entry(2);
    const clip = within(second).getByRole('combobox', { name: w.clip });
    expect(document.activeElement).toBe(clip);
    fireEvent.change(clip, { target: { value: 'clip-bp' } });
    const code = within(second).getByRole('textbox', { name: w.condition });
    expect(description(code)).toBe(w.conditionHint);
    expect(w.conditionHint).toContain('38341003');
    fireEvent.change(code, { target: { value: ' 38341003 ' } });

    fireEvent.click(screen.getByRole('button', { name: w.addClip }));
    const third = entry(3);
    fireEvent.change(within(third).getByLabelText(w.from), { target: { value: '22:00' } });
    fireEvent.change(within(third).getByLabelText(w.to), { target: { value: '06:00' } });

    // The blood-pressure clip goes first; the focus stays on the button pressed while it can.
    const up = within(second).getByRole('button', { name: format(w.moveUp, { n: 2 }) });
    fireEvent.click(up);
    expect((within(entry(1)).getByRole('combobox', { name: w.clip }) as HTMLSelectElement).value).toBe('clip-bp');
    expect(screen.getByText(format(w.moved, { n: 1 }))).toBeTruthy();
    expect(document.activeElement).toBe(within(entry(1)).getByRole('button', { name: format(w.moveDown, { n: 1 }) }));

    fireEvent.click(screen.getByRole('button', { name: w.save }));
    await waitFor(() => expect(screen.getByText(w.saved)).toBeTruthy());
    expect(callsTo(view, 'waitingMedia.savePlaylist').map((c) => c.input)).toEqual([
      {
        queueId: 'q-follow-up',
        entries: [
          { clipId: 'clip-bp', fromMinute: null, toMinute: null, conditionCode: '38341003' },
          { clipId: 'clip-welcome', fromMinute: null, toMinute: null, conditionCode: null },
          { clipId: 'clip-welcome', fromMinute: 1320, toMinute: 360, conditionCode: null },
        ],
      },
    ]);
    expect((within(entry(3)).getByLabelText(w.from) as HTMLInputElement).value).toBe('22:00');
  });

  it('marks each field that is not valid, next to it, with the focus on the first, and sends nothing', async () => {
    const view = open();
    await waitFor(() => entry(1));
    const first = entry(1);
    fireEvent.change(within(first).getByLabelText(w.from), { target: { value: '08:00' } });
    fireEvent.change(within(first).getByRole('textbox', { name: w.condition }), { target: { value: 'I 10' } });
    fireEvent.click(screen.getByRole('button', { name: w.addClip }));
    fireEvent.change(within(entry(2)).getByLabelText(w.from), { target: { value: '09:30' } });
    fireEvent.change(within(entry(2)).getByLabelText(w.to), { target: { value: '09:30' } });
    fireEvent.click(screen.getByRole('button', { name: w.save }));

    const to = within(first).getByLabelText(w.to);
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(description(to)).toBe(w.errorWindowPair);
    expect(document.activeElement).toBe(to);
    const code = within(first).getByRole('textbox', { name: w.condition });
    expect(description(code)).toBe(`${format(w.errorCondition, { max: 64 })} ${w.conditionHint}`);
    expect(description(within(entry(2)).getByLabelText(w.to))).toBe(w.errorWindowSame);
    expect(screen.getByRole('alert').textContent).toBe(w.invalid);
    expect(callsTo(view, 'waitingMedia.savePlaylist')).toHaveLength(0);

    // Fixing a field clears its mark.
    fireEvent.change(to, { target: { value: '12:00' } });
    expect(to.getAttribute('aria-invalid')).toBeNull();
  });

  it('says when a chosen clip was deleted meanwhile, and refreshes the clips', async () => {
    const view = open({ 'waitingMedia.savePlaylist': () => ({ refused: 'NOT_FOUND', reason: 'clipNotFound' }) });
    await waitFor(() => entry(1));
    fireEvent.click(screen.getByRole('button', { name: w.save }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en.errors.clipNotFound));
    await waitFor(() => expect(callsTo(view, 'waitingMedia.listClips')).toHaveLength(2));
  });

  it('switches queues, shows an empty playlist, and marks an entry whose clip is gone', async () => {
    open({
      'waitingMedia.listClips': () => ({ data: [tips] }),
      'waitingMedia.playlist': (input) => ({
        data: (input as { queueId: string }).queueId === 'q-follow-up' ? followUp : playlistOf('q-specialist'),
      }),
    });
    const first = await waitFor(() => entry(1));
    // The welcome clip of this playlist was deleted: the entry says so and is refused until changed.
    expect(within(first).getByRole('combobox', { name: w.clip }).querySelector('option:checked')!.textContent).toBe(w.deletedClip);
    fireEvent.click(screen.getByRole('button', { name: w.save }));
    expect(description(within(first).getByRole('combobox', { name: w.clip }))).toBe(w.errorClip);

    fireEvent.change(screen.getByRole('combobox', { name: w.queue }), { target: { value: 'q-specialist' } });
    await waitFor(() => expect(screen.getByText(w.playlistEmpty)).toBeTruthy());
    expect(screen.queryByRole('group', { name: format(w.entryLegend, { n: 1 }) })).toBeNull();
  });

  it('without clips or queues, says what to do first', async () => {
    const view = open({ 'waitingMedia.listClips': () => ({ data: [] }), 'waitingMedia.playlist': () => ({ data: playlistOf('q-follow-up') }) });
    await waitFor(() => expect(screen.getByText(w.needClips)).toBeTruthy());
    expect((screen.getByRole('button', { name: w.addClip }) as HTMLButtonElement).disabled).toBe(true);
    view.unmount();
    open({ 'queues.list': () => ({ data: [] }) });
    await waitFor(() => expect(screen.getByText(w.noQueues)).toBeTruthy());
  });
});
