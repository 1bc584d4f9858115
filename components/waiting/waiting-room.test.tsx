// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { deferred, renderScreen, type Answers, type Feed, type Reply } from '@/components/testing/render-screen';
import { TaskEndReason } from '@/server/db/generated/enums';
import type { WaitingStatus } from '@/server/routing/waiting-room-status';
import { dictionaries } from '@/server/shared/i18n/dictionaries';
import { format } from '@/server/shared/i18n/format';
import { WaitingRoom } from './waiting-room';

const { en } = dictionaries;
const joined: Reply = { data: { id: 'task-1', state: 'WAITING' } };

/** The waiting room with the server's answers; `feed` is the live status stream once the page subscribes. */
function openWaitingRoom(answers: Answers = {}) {
  let feed: Feed | null = null;
  const view = renderScreen(<WaitingRoom clinicName="Riverside Clinic" clinicianName="Dr Lin" />, {
    answers: {
      'waitingRoom.join': () => joined,
      'waitingRoom.watch': { subscribe: (live) => void (feed = live) },
      ...answers,
    },
  });
  async function status(value: WaitingStatus) {
    await waitFor(() => expect(feed).not.toBeNull());
    act(() => feed!.data(value));
  }
  return { ...view, status, feed: () => feed! };
}

const waiting = (position: number, estimatedWaitSeconds: number, state: 'WAITING' | 'OFFERED' = 'WAITING'): WaitingStatus => ({
  state,
  taskId: 'task-1',
  position,
  waitingCount: position + 2,
  estimatedWaitSeconds,
});

const liveStatus = () => screen.getAllByRole('status').find((element) => element.getAttribute('aria-live') === 'polite')!;

describe('WaitingRoom', () => {
  it('says it is joining until the first status arrives', async () => {
    const join = deferred();
    const view = openWaitingRoom({ 'waitingRoom.join': () => join.promise });
    expect(screen.getByRole('status').textContent).toBe(en.waiting.joining);
    expect(screen.getByText('Riverside Clinic · Dr Lin')).toBeTruthy();
    // The live status is only asked for once the patient is in the queue.
    await waitFor(() => expect(view.calls.map((call) => call.path)).toEqual(['waitingRoom.join']));

    join.settle(joined);
    await waitFor(() => expect(view.calls.map((call) => call.path)).toContain('waitingRoom.watch'));
    expect(liveStatus().textContent).toBe(en.waiting.joining);
  });

  it('shows the place in line and an estimate in minutes', async () => {
    const view = openWaitingRoom();
    await view.status(waiting(3, 7 * 60 + 20));
    const status = liveStatus();
    expect(status.textContent).toContain(format(en.waiting.position, { position: 3 }));
    expect(status.textContent).toContain(format(en.waiting.estimate, { minutes: 7 }));
    expect(status.textContent).not.toContain(en.waiting.yourTurnSoon);
    expect(screen.getByText(en.waiting.keepOpen)).toBeTruthy();
    expect(screen.getByRole('link', { name: en.patientReschedule.changeLink }).getAttribute('href')).toBe('/visit/reschedule');
  });

  it('rounds the estimate and says "less than a minute" under 60 seconds', async () => {
    const view = openWaitingRoom();
    await view.status(waiting(2, 90));
    expect(liveStatus().textContent).toContain(format(en.waiting.estimate, { minutes: 2 }));
    await view.status(waiting(1, 59));
    expect(liveStatus().textContent).toContain(format(en.waiting.position, { position: 1 }));
    expect(liveStatus().textContent).toContain(en.waiting.estimateNow);
  });

  it('tells the patient a doctor is being told about them while an offer is out', async () => {
    const view = openWaitingRoom();
    await view.status(waiting(1, 30, 'OFFERED'));
    const status = liveStatus();
    expect(status.textContent).toContain(format(en.waiting.position, { position: 1 }));
    expect(status.textContent).toContain(en.waiting.yourTurnSoon);
    expect(status.textContent).toContain(en.waiting.estimateNow);
  });

  it('goes to the consult once a clinician takes the visit', async () => {
    const view = openWaitingRoom();
    await view.status(waiting(1, 30, 'OFFERED'));
    await view.status({ state: 'ASSIGNED', taskId: 'task-1', appointmentId: 'appt-42' });
    expect(liveStatus().textContent).toBe(en.waiting.connecting);
    expect(view.router.replace).toHaveBeenCalledWith('/consult/appt-42');
  });

  it.each([...Object.values(TaskEndReason), null])('says the place has ended (end reason %s)', async (reason) => {
    const view = openWaitingRoom();
    await view.status({ state: 'ENDED', reason });
    expect(liveStatus().textContent).toBe(en.waiting.ended);
    expect(view.router.replace).not.toHaveBeenCalled();
  });

  it('keeps the place on screen with a notice while the live status reconnects', async () => {
    const view = openWaitingRoom();
    await view.status(waiting(4, 300));
    expect(screen.queryByText(en.waiting.reconnecting)).toBeNull();

    act(() => view.feed().reconnecting());
    expect(screen.getByText(en.waiting.reconnecting).getAttribute('role')).toBe('status');
    expect(liveStatus().textContent).toContain(format(en.waiting.position, { position: 4 }));

    await view.status(waiting(3, 240));
    expect(screen.queryByText(en.waiting.reconnecting)).toBeNull();
    expect(liveStatus().textContent).toContain(format(en.waiting.position, { position: 3 }));
  });

  it.each<[string, Reply, (t: typeof en) => string]>([
    ['consent not given', { refused: 'FORBIDDEN', reason: 'consentRequired' }, (t) => t.errors.consentRequired],
    ['visit cancelled or ended', { refused: 'CONFLICT', reason: 'revoked' }, (t) => t.errors.revoked],
    ['no follow-up queue', { refused: 'NOT_FOUND', reason: 'noQueue' }, (t) => t.errors.noQueue],
    ['a race while joining', { refused: 'CONFLICT', reason: 'retry' }, (t) => t.errors.retry],
    ['a refusal without a reason', { refused: 'INTERNAL_SERVER_ERROR' }, (t) => t.common.somethingWrong],
    ['no network', { networkError: true }, (t) => t.common.somethingWrong],
  ])('shows why joining failed: %s', async (_case, reply, message) => {
    const view = openWaitingRoom({ 'waitingRoom.join': () => reply });
    expect((await screen.findByRole('alert')).textContent).toBe(message(en));
    expect(screen.queryByRole('button', { name: en.waiting.leave })).toBeNull();
    expect(view.calls.map((call) => call.path)).not.toContain('waitingRoom.watch');
  });

  it('shows the refusal in the patient’s language', async () => {
    renderScreen(<WaitingRoom clinicName="Riverside Clinic" clinicianName="Dr Lin" />, {
      locale: 'zh-CN',
      answers: { 'waitingRoom.join': () => ({ refused: 'FORBIDDEN', reason: 'consentRequired' }) },
    });
    expect((await screen.findByRole('alert')).textContent).toBe(dictionaries['zh-CN'].errors.consentRequired);
  });

  it('leaves the queue: the button waits for the server, then says how to come back', async () => {
    const leave = deferred();
    const view = openWaitingRoom({ 'waitingRoom.leave': () => leave.promise });
    await view.status(waiting(2, 120));
    const button = screen.getByRole('button', { name: en.waiting.leave });

    fireEvent.click(button);
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(true));
    expect(view.calls.filter((call) => call.path === 'waitingRoom.leave')).toHaveLength(1);

    act(() => leave.settle({ data: { left: true } }));
    expect(await screen.findByText(en.waiting.left)).toBeTruthy();
    expect(screen.queryByRole('button', { name: en.waiting.leave })).toBeNull();
    expect(screen.queryByText(format(en.waiting.position, { position: 2 }))).toBeNull();
  });

  it('stays in the queue when leaving fails', async () => {
    const leave = deferred();
    const view = openWaitingRoom({ 'waitingRoom.leave': () => leave.promise });
    await view.status(waiting(2, 120));
    const button = screen.getByRole('button', { name: en.waiting.leave }) as HTMLButtonElement;
    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    act(() => leave.settle({ networkError: true }));
    await waitFor(() => expect(button.disabled).toBe(false));
    expect(screen.queryByText(en.waiting.left)).toBeNull();
    expect(liveStatus().textContent).toContain(format(en.waiting.position, { position: 2 }));
  });
});
