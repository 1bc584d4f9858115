// @vitest-environment jsdom
import { RoomContext } from '@livekit/components-react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ConnectionState, DisconnectReason, Room, RoomEvent } from 'livekit-client';
import { describe, expect, it, vi } from 'vitest';
import { deferred, renderScreen, type Answers, type Reply } from '@/components/testing/render-screen';
import { permissionsOf, sideOf, type PartyRole } from '@/server/shared/consult-policy';
import { dictionaries, type Messages } from '@/server/shared/i18n/dictionaries';
import { ConsultCall, ConsultEnded, ConsultLeft, ConsultRoom, consultScreen, type ConsultScreen } from './consult-room';

const { en } = dictionaries;
const appointmentId = 'appt-7';

/** What consult.join grants; the token is never used, since no test connects to LiveKit. */
function access(partyRole: PartyRole) {
  return { serverUrl: 'wss://livekit.invalid', token: 'not-a-token', role: sideOf(partyRole), partyRole, permissions: permissionsOf(partyRole) };
}

function openConsult(answers: Answers, options: { locale?: 'en' | 'zh-CN'; strict?: boolean } = {}) {
  const view = renderScreen(<ConsultRoom appointmentId={appointmentId} title="Follow-up with Dr Lin" backHref={null} canEnd={false} />, {
    answers,
    ...options,
  });
  const joins = () => view.calls.filter((call) => call.path === 'consult.join');
  return { ...view, joins };
}

describe('consultScreen', () => {
  type State = Parameters<typeof consultScreen<ReturnType<typeof access>, { data: { reason: string | null } | null }>>[0];
  const refusal = (reason: string | null) => ({ data: { reason } });
  const granted = access('PATIENT');

  it.each<[string, ConsultScreen<unknown, unknown>['kind'], State]>([
    ['the join is pending', 'connecting', { ended: false, left: false, join: { error: null, data: undefined } }],
    ['a token is granted', 'call', { ended: false, left: false, join: { error: null, data: granted } }],
    ['the join is refused', 'refused', { ended: false, left: false, join: { error: refusal('consultFull'), data: undefined } }],
    ['the join fails without a reason', 'refused', { ended: false, left: false, join: { error: { data: null }, data: undefined } }],
    ['the clinician has not taken the visit', 'notYourTurn', { ended: false, left: false, join: { error: refusal('notYourTurn'), data: undefined } }],
    ['the person left the call', 'left', { ended: false, left: true, join: { error: null, data: granted } }],
    ['the person left after a refusal', 'left', { ended: false, left: true, join: { error: refusal('revoked'), data: undefined } }],
    // A deleted room disconnects everyone too: the consult has ended, not "you left".
    ['the room was deleted, which also disconnects', 'ended', { ended: true, left: true, join: { error: null, data: granted } }],
    ['the room was deleted', 'ended', { ended: true, left: false, join: { error: null, data: granted } }],
  ])('%s: %s', (_case, kind, state) => {
    expect(consultScreen(state).kind).toBe(kind);
  });

  it('hands the refusal and the access to the screen that shows them', () => {
    const error = refusal('revoked');
    expect(consultScreen({ ended: false, left: false, join: { error, data: undefined } })).toEqual({ kind: 'refused', error });
    expect(consultScreen({ ended: false, left: false, join: { error: null, data: granted } })).toEqual({ kind: 'call', access: granted });
  });
});

describe('ConsultRoom', () => {
  it('says it is connecting while the token is requested, once per visit to the page', async () => {
    const view = openConsult({ 'consult.join': () => new Promise<Reply>(() => {}) }, { strict: true });
    expect(screen.getByRole('status').textContent).toBe(en.consult.connecting);
    await waitFor(() => expect(view.joins()).toHaveLength(1));
    expect(view.joins()[0]!.input).toEqual({ appointmentId });
  });

  it.each<[string, Reply, (t: Messages) => string]>([
    ['the visit is cancelled or over', { refused: 'CONFLICT', reason: 'revoked' }, (t) => t.errors.revoked],
    ['no such consult', { refused: 'NOT_FOUND', reason: 'notFound' }, (t) => t.errors.notFound],
    ['another visit’s consult', { refused: 'FORBIDDEN', reason: 'forbidden' }, (t) => t.errors.forbidden],
    ['a guest removed by the clinician', { refused: 'FORBIDDEN', reason: 'guestRemoved' }, (t) => t.errors.guestRemoved],
    ['an expired invitation', { refused: 'FORBIDDEN', reason: 'inviteExpired' }, (t) => t.errors.inviteExpired],
    ['a guest before the consult started', { refused: 'FORBIDDEN', reason: 'consultNotStarted' }, (t) => t.errors.consultNotStarted],
    ['the room is full', { refused: 'CONFLICT', reason: 'consultFull' }, (t) => t.errors.consultFull],
    ['LiveKit unreachable', { refused: 'SERVICE_UNAVAILABLE', reason: 'mediaUnavailable' }, (t) => t.errors.mediaUnavailable],
    ['FORBIDDEN with no reason', { refused: 'FORBIDDEN' }, (t) => t.errors.forbidden],
    ['signed out', { refused: 'UNAUTHORIZED' }, (t) => t.common.somethingWrong],
    ['no network', { networkError: true }, (t) => t.common.somethingWrong],
  ])('shows why the token was refused: %s', async (_case, reply, message) => {
    openConsult({ 'consult.join': () => reply });
    expect((await screen.findByRole('alert')).textContent).toBe(message(en));
    expect(screen.getByRole('button', { name: en.common.tryAgain })).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows the refusal in the person’s language', async () => {
    openConsult({ 'consult.join': () => ({ refused: 'CONFLICT', reason: 'consultFull' }) }, { locale: 'zh-CN' });
    const zh = dictionaries['zh-CN'];
    expect((await screen.findByRole('alert')).textContent).toBe(zh.errors.consultFull);
    expect(screen.getByRole('button', { name: zh.common.tryAgain })).toBeTruthy();
  });

  it('asks for a new token on "try again"', async () => {
    const second = deferred();
    const replies = [(): Reply => ({ refused: 'SERVICE_UNAVAILABLE', reason: 'mediaUnavailable' }), () => second.promise];
    const view = openConsult({ 'consult.join': () => replies[view.joins().length - 1]!() });
    fireEvent.click(await screen.findByRole('button', { name: en.common.tryAgain }));

    expect((await screen.findByRole('status')).textContent).toBe(en.consult.connecting);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(view.joins()).toHaveLength(2);

    act(() => second.settle({ refused: 'CONFLICT', reason: 'consultFull' }));
    expect((await screen.findByRole('alert')).textContent).toBe(en.errors.consultFull);
  });

  it('sends a patient whose clinician has not taken the visit back to the waiting room', async () => {
    const view = openConsult({ 'consult.join': () => ({ refused: 'FORBIDDEN', reason: 'notYourTurn' }) });
    await waitFor(() => expect(view.router.replace).toHaveBeenCalledWith('/visit'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(view.container.textContent).toBe('');
  });

  it('opens the call with the granted token', async () => {
    // An empty token keeps LiveKitRoom from connecting: its Room stays a Room that never connected.
    openConsult({ 'consult.join': () => ({ data: { ...access('PATIENT'), token: '' } }) });
    expect(await screen.findByRole('heading', { name: 'Follow-up with Dr Lin' })).toBeTruthy();
    expect(screen.getByRole('toolbar', { name: en.consult.title })).toBeTruthy();
    expect(screen.queryByRole('status', { name: en.consult.connecting })).toBeNull();
  });
});

describe('ConsultEnded', () => {
  it('sends the patient on to their visit summary', () => {
    renderScreen(<ConsultEnded backHref={null} />);
    expect(screen.getByRole('status').textContent).toBe(en.consult.ended);
    expect(screen.getByRole('link', { name: en.summary.title }).getAttribute('href')).toBe('/visit/summary');
    expect(screen.queryByRole('link', { name: en.consult.back })).toBeNull();
  });

  it('sends staff back to their day', () => {
    renderScreen(<ConsultEnded backHref="/desk" />);
    expect(screen.getByRole('status').textContent).toBe(en.consult.ended);
    expect(screen.getByRole('link', { name: en.consult.back }).getAttribute('href')).toBe('/desk');
    expect(screen.queryByRole('link', { name: en.summary.title })).toBeNull();
  });
});

describe('ConsultLeft', () => {
  it('offers to join again, and the way back for staff', () => {
    const onRejoin = vi.fn();
    renderScreen(<ConsultLeft backHref="/desk" onRejoin={onRejoin} />);
    expect(screen.getByText(en.consult.left)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: en.consult.rejoin }));
    expect(onRejoin).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('link', { name: en.consult.back }).getAttribute('href')).toBe('/desk');
  });

  it('offers only to join again to a patient', () => {
    renderScreen(<ConsultLeft backHref={null} onRejoin={() => {}} />);
    expect(screen.getByRole('button', { name: en.consult.rejoin })).toBeTruthy();
    expect(screen.queryByRole('link')).toBeNull();
  });
});

describe('ConsultCall', () => {
  /** The call inside a real Room that never connects; the test says what LiveKit would report. */
  function openCall(partyRole: PartyRole, { canEnd = false, answers = {} }: { canEnd?: boolean; answers?: Answers } = {}) {
    const room = new Room();
    const onEnded = vi.fn();
    const view = renderScreen(
      <RoomContext.Provider value={room}>
        <ConsultCall appointmentId={appointmentId} title="Follow-up with Dr Lin" access={access(partyRole)} canEnd={canEnd} onEnded={onEnded} />
      </RoomContext.Provider>,
      { answers: { 'clinical.currentShare': () => ({ data: null }), ...answers } },
    );
    const connection = (state: ConnectionState) =>
      act(() => {
        room.state = state;
        room.emit(RoomEvent.ConnectionStateChanged, state);
      });
    const disconnected = (reason: DisconnectReason) => act(() => void room.emit(RoomEvent.Disconnected, reason));
    return { ...view, room, onEnded, connection, disconnected };
  }

  it('shows the consult, the patient’s own camera and the controls while the other person is not there yet', () => {
    openCall('PATIENT');
    expect(screen.getByRole('heading', { name: 'Follow-up with Dr Lin' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe(en.consult.waitingForOther);
    expect(screen.getByLabelText(en.consult.selfView)).toBeTruthy();
    const toolbar = within(screen.getByRole('toolbar', { name: en.consult.title }));
    for (const name of [en.consult.microphone, en.consult.camera, en.consult.audioOnly, en.consult.chat, en.consult.leave]) {
      expect(toolbar.getByRole('button', { name })).toBeTruthy();
    }
    expect(toolbar.queryByRole('button', { name: en.consult.shareScreen })).toBeNull();
    expect(toolbar.queryByRole('button', { name: en.consult.endConsult })).toBeNull();
  });

  it.each([ConnectionState.Reconnecting, ConnectionState.SignalReconnecting])('shows a banner while LiveKit is %s', (state) => {
    const call = openCall('PATIENT');
    call.connection(ConnectionState.Connected);
    expect(screen.queryByText(en.consult.reconnecting)).toBeNull();

    call.connection(state);
    const banner = screen.getByText(en.consult.reconnecting);
    expect(banner.getAttribute('role')).toBe('status');
    expect(screen.getByRole('heading', { name: 'Follow-up with Dr Lin' })).toBeTruthy();

    call.connection(ConnectionState.Connected);
    expect(screen.queryByText(en.consult.reconnecting)).toBeNull();
  });

  it('reports the end of the consult when LiveKit says the room was deleted, and only then', () => {
    const call = openCall('PATIENT');
    call.disconnected(DisconnectReason.CLIENT_INITIATED);
    call.disconnected(DisconnectReason.SIGNAL_CLOSE);
    expect(call.onEnded).not.toHaveBeenCalled();
    call.disconnected(DisconnectReason.ROOM_DELETED);
    expect(call.onEnded).toHaveBeenCalledTimes(1);
    expect(call.router.replace).not.toHaveBeenCalled();
  });

  it('takes a person the clinician removed to the page that says so', () => {
    const call = openCall('FAMILY');
    call.disconnected(DisconnectReason.PARTICIPANT_REMOVED);
    expect(call.router.replace).toHaveBeenCalledWith(`/consult/${appointmentId}/removed`);
    expect(call.onEnded).not.toHaveBeenCalled();
  });

  it('lets the clinician share the screen and end the consult, then goes to the wrap-up', async () => {
    const end = deferred();
    const call = openCall('GP', { canEnd: true, answers: { 'consult.end': () => end.promise } });
    const toolbar = within(screen.getByRole('toolbar', { name: en.consult.title }));
    expect(toolbar.getByRole('button', { name: en.consult.shareScreen })).toBeTruthy();
    const button = toolbar.getByRole('button', { name: en.consult.endConsult }) as HTMLButtonElement;

    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(call.calls.filter((c) => c.path === 'consult.end').map((c) => c.input)).toEqual([{ appointmentId }]);
    expect(call.router.push).not.toHaveBeenCalled();

    act(() => end.settle({ data: { ended: true } }));
    await waitFor(() => expect(call.router.push).toHaveBeenCalledWith(`/consult/${appointmentId}/wrap-up`));
  });

  it('switches to audio only and back', () => {
    openCall('PATIENT');
    const toolbar = within(screen.getByRole('toolbar', { name: en.consult.title }));
    const audioOnly = toolbar.getByRole('button', { name: en.consult.audioOnly });
    expect(audioOnly.getAttribute('aria-pressed')).toBe('false');

    fireEvent.click(audioOnly);
    expect(toolbar.getByRole('button', { name: en.consult.videoOn }).getAttribute('aria-pressed')).toBe('true');
    expect(toolbar.queryByRole('button', { name: en.consult.camera })).toBeNull();

    fireEvent.click(toolbar.getByRole('button', { name: en.consult.videoOn }));
    expect(toolbar.getByRole('button', { name: en.consult.camera })).toBeTruthy();
  });

  it('opens the chat', () => {
    openCall('PATIENT');
    const chat = screen.getByRole('button', { name: en.consult.chat });
    expect(screen.queryByRole('region', { name: en.consult.chatTitle })).toBeNull();
    fireEvent.click(chat);
    const panel = within(screen.getByRole('region', { name: en.consult.chatTitle }));
    expect(panel.getByText(en.consult.noMessages)).toBeTruthy();
    expect(panel.getByRole('textbox', { name: en.consult.chatPlaceholder })).toBeTruthy();
    expect(chat.getAttribute('aria-expanded')).toBe('true');
  });
});
