// The media agent in a caller's room: the video IVR (menu frames and spoken prompts, keys from the web keypad or
// phone DTMF), then the video ringback while they wait, until a clinician takes the call.
import {
  AudioSource,
  TrackKind,
  LocalAudioTrack,
  LocalVideoTrack,
  ParticipantKind,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  VideoSource,
  type RemoteParticipant,
} from '@livekit/rtc-node';
import { db } from '@/server/db';
import type { CallSession } from '@/server/db/generated/client';
import type { LivekitGateway } from '@/server/livekit/livekit-gateway';
import { recordAudit } from '@/server/audit/audit-service';
import { resumeIvr, stepIvr, type IvrInput, type IvrState, type IvrStep } from '@/server/ivr/ivr-machine';
import { liveMenu } from '@/server/ivr/menu-service';
import { enqueueForAppointment, touchTask } from '@/server/routing/patient-queue';
import { FOLLOW_UP_QUEUE_SLUG, LIVE_VIEW_IDLE_MS } from '@/server/routing/routing-config';
import { watchWaitingStatus, type WaitingStatus } from '@/server/routing/waiting-room-status';
import { call as callStrings } from '@/server/shared/i18n/namespaces/call';
import { format } from '@/server/shared/i18n/format';
import type { AppLocale } from '@/server/shared/i18n/locales';
import type { MenuNode, MenuTree } from '@/server/shared/schemas/ivr';
import { advanceStage, recordIvrEvent, saveMenuPosition } from './call-sessions';
import { createAudioOut } from './media/audio-out';
import { renderMenuFrame, renderWaitingCard } from './media/menu-frame';
import { sharedClip } from './media/shared-clip';
import { speak } from './media/speech';
import { createVideoOut } from './media/video-out';
import { i420Frame } from './media/video-frames';
import { chooseWaitingClips } from './waiting-clips';
import { identifyByBirthDate } from '@/server/sip/caller-identity';

export const AGENT_IDENTITY = 'revisit-agent';
/** The RPC method the patient's page calls with a key press (payload: the digit). */
export const KEY_RPC_METHOD = 'revisit.key';
/** The page calls this after a menu outcome it handles itself (home readings): back to the menu. */
export const RESUME_RPC_METHOD = 'revisit.resume';
/** Participant attributes of the agent that the patient's page follows. */
export const STAGE_ATTRIBUTE = 'revisit.stage';
export const OUTCOME_ATTRIBUTE = 'revisit.outcome';
/** What the agent is saying, shown as a caption (for callers who cannot hear it, and in noisy places). */
export const CAPTION_ATTRIBUTE = 'revisit.saying';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 15;
/** How long a pressed option stays highlighted before the next menu is shown. */
const HIGHLIGHT_MS = 300;
/** A caller who dropped out of the menu this long is counted as a hang-up. */
const HANG_UP_GRACE_MS = 20_000;
/** The position is spoken at most this often (and whenever it changes, at most this often). */
const ANNOUNCE_EVERY_MS = 60_000;

export type RoomAgentOptions = {
  livekit: LivekitGateway;
  /** Silence after a prompt before it counts as no input. */
  noInputMs: number;
  onStopped: (sessionId: string) => void;
};

type Mode = { kind: 'starting' } | { kind: 'identify'; digits: string; silences: number } | { kind: 'menu' } | { kind: 'waiting' } | { kind: 'stopped' };

export class RoomAgent {
  private readonly room = new Room();
  private readonly videoSource = new VideoSource(WIDTH, HEIGHT);
  private readonly audioSource = new AudioSource(48_000, 1);
  private readonly audio = createAudioOut(this.audioSource);
  private readonly video = createVideoOut(this.videoSource, FPS);
  private readonly locale: AppLocale;
  private readonly t;
  private mode: Mode = { kind: 'starting' };
  private tree: MenuTree | null = null;
  private menuVersion = 0;
  private ivr: IvrState | null = null;
  private nodeEnteredAt = Date.now();
  private noInputTimer: NodeJS.Timeout | null = null;
  private hangUpTimer: NodeJS.Timeout | null = null;
  private waiting: {
    abort: AbortController;
    unsubscribe: (() => void) | null;
    clips: string[];
    clipIndex: number;
    lastSpokenAt: number;
    lastPosition: number | null;
    status: WaitingStatus | null;
  } | null = null;
  private inputQueue: Promise<void> = Promise.resolve();
  /** The patient (once known) and the caller's LiveKit identity: the patient's id on the web, sip_<number> by phone. */
  private patientId = '';
  private callerIdentity = '';
  /** A menu ending the page carries out (reschedule, home readings), until the caller is back in the menu. */
  private outcome: 'reschedule' | 'vitals' | null = null;

  constructor(
    private session: CallSession,
    private readonly options: RoomAgentOptions,
  ) {
    this.locale = session.locale === 'en' ? 'en' : 'zh-CN';
    this.t = callStrings[this.locale];
  }

  get sessionId() {
    return this.session.id;
  }

  async start(): Promise<void> {
    // Keys pressed while the agent is still starting wait for the menu instead of being lost.
    let ready: () => void = () => {};
    this.inputQueue = new Promise<void>((resolve) => (ready = resolve));
    try {
      await this.connectAndPlay();
    } finally {
      ready();
    }
  }

  private async connectAndPlay(): Promise<void> {
    await this.loadPatient();
    const token = await this.options.livekit.issueAgentToken(this.session.room, AGENT_IDENTITY, 'Revisit');
    this.room.on(RoomEvent.DtmfReceived, (_code: number, digit: string, participant: RemoteParticipant) => {
      if (this.isCaller(participant)) this.enqueueInput({ kind: 'digit', digit });
    });
    this.room.on(RoomEvent.ParticipantConnected, (participant: RemoteParticipant) => this.onArrived(participant));
    // LiveKit SIP answers a phone call once someone in the room listens to the caller: this agent does.
    this.room.on(RoomEvent.TrackPublished, (publication, participant: RemoteParticipant) => {
      if (participant.kind === ParticipantKind.SIP && publication.kind === TrackKind.KIND_AUDIO) publication.setSubscribed(true);
    });
    this.room.on(RoomEvent.ParticipantDisconnected, (participant: RemoteParticipant) => {
      if (this.isCaller(participant)) this.onCallerLeft();
    });
    this.room.on(RoomEvent.Disconnected, () => {
      if (this.mode.kind !== 'stopped') void this.stop('disconnected');
    });
    await this.room.connect(this.options.livekit.serverUrl, token, { autoSubscribe: false, dynacast: false });
    // First of all, so the phone is answered while the agent's own track is still being published.
    for (const participant of this.room.remoteParticipants.values()) {
      if (participant.kind !== ParticipantKind.SIP) continue;
      for (const publication of participant.trackPublications.values()) if (publication.kind === TrackKind.KIND_AUDIO) publication.setSubscribed(true);
    }
    const local = this.room.localParticipant!;
    local.registerRpcMethod(KEY_RPC_METHOD, async (invocation) => {
      if (invocation.callerIdentity !== this.callerIdentity) return 'ignored';
      const digit = invocation.payload.trim();
      if (!/^[0-9*#]$/.test(digit)) return 'invalid';
      this.enqueueInput({ kind: 'digit', digit });
      return 'ok';
    });
    local.registerRpcMethod(RESUME_RPC_METHOD, async (invocation) => {
      if (invocation.callerIdentity !== this.callerIdentity) return 'ignored';
      this.inputQueue = this.inputQueue.then(() => this.backToMenu()).catch((error) => this.fail(error));
      return 'ok';
    });
    const videoTrack = LocalVideoTrack.createVideoTrack('menu', this.videoSource);
    const audioTrack = LocalAudioTrack.createAudioTrack('voice', this.audioSource);
    // A phone has no screen (LiveKit SIP carries audio only): the menu is spoken, not shown, and no frames are made.
    if (this.isPhoneCall) this.video.close();
    else await local.publishTrack(videoTrack, new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: false }));
    await local.publishTrack(audioTrack, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
    // A clinician already in the room (they accepted while this worker took over): nothing to play.
    if ([...this.room.remoteParticipants.values()].some((p) => this.isClinician(p))) return this.stop('consult');
    if (!this.isCallerPresent()) this.startHangUpGrace();
    if (this.session.stage === 'WAITING') await this.startWaiting();
    else if (this.session.stage === 'IDENTIFY') await this.startIdentify();
    else await this.startMenu();
  }

  /** Stops everything this agent plays and leaves the room. */
  async stop(why: 'consult' | 'ended' | 'lost' | 'shutdown' | 'disconnected' | 'failed'): Promise<void> {
    if (this.mode.kind === 'stopped') return;
    this.mode = { kind: 'stopped' };
    this.clearNoInput();
    if (this.hangUpTimer) clearTimeout(this.hangUpTimer);
    this.stopWaitingMedia();
    this.audio.stop();
    this.video.close();
    if (why === 'consult') await advanceStage(this.session.id, ['IDENTIFY', 'MENU', 'WAITING'], 'CONSULT').catch(() => {});
    await this.room.disconnect().catch(() => {});
    this.options.onStopped(this.session.id);
  }

  // ---- who is who

  private async loadPatient() {
    const appointment = this.session.appointmentId
      ? await db.appointment.findUnique({ where: { id: this.session.appointmentId }, select: { patientId: true } })
      : null;
    this.patientId = appointment?.patientId ?? '';
    this.callerIdentity = this.session.channel === 'PHONE' ? (this.session.callerIdentity ?? '') : this.patientId;
  }

  private get isPhoneCall(): boolean {
    return this.session.channel === 'PHONE';
  }

  private isCaller(participant: RemoteParticipant): boolean {
    return participant.identity === this.callerIdentity || participant.kind === ParticipantKind.SIP;
  }

  private isClinician(participant: RemoteParticipant): boolean {
    if (this.patientId && participant.identity === this.patientId) return false;
    return !this.isCaller(participant) && participant.kind !== ParticipantKind.AGENT && participant.identity !== AGENT_IDENTITY;
  }

  private isCallerPresent(): boolean {
    return [...this.room.remoteParticipants.values()].some((p) => this.isCaller(p));
  }

  private onArrived(participant: RemoteParticipant) {
    if (this.isClinician(participant)) {
      void this.stop('consult');
      return;
    }
    if (!this.isCaller(participant)) return;
    if (this.hangUpTimer) {
      clearTimeout(this.hangUpTimer);
      this.hangUpTimer = null;
    }
    // Back from changing the appointment (or a reload meanwhile): the menu again, not the same ending.
    if (this.outcome === 'reschedule') this.inputQueue = this.inputQueue.then(() => this.backToMenu()).catch((error) => this.fail(error));
  }

  private onCallerLeft() {
    // A phone that hung up is gone for good (the call's webhook ends its place in line); a web page may come back.
    if (this.isPhoneCall) {
      void this.hangUp().catch((error) => this.fail(error));
      return;
    }
    this.startHangUpGrace();
  }

  private startHangUpGrace() {
    if (this.hangUpTimer) return;
    this.hangUpTimer = setTimeout(() => {
      this.hangUpTimer = null;
      if (this.isCallerPresent()) return;
      void this.hangUp().catch((error) => this.fail(error));
    }, HANG_UP_GRACE_MS);
  }

  /** The caller is gone: in the menu that is a hang-up on its node; while waiting, routing abandons the task. */
  private async hangUp() {
    if (this.mode.kind === 'menu' && this.ivr) {
      // Gone to change the appointment: the menu did its job; that is not a hang-up on the node.
      if (this.outcome === 'reschedule') {
        await advanceStage(this.session.id, ['MENU'], 'ENDED');
        return this.stop('ended');
      }
      await recordIvrEvent({ ...this.eventBase(), kind: 'HANGUP', durationMs: Date.now() - this.nodeEnteredAt });
      await advanceStage(this.session.id, ['MENU'], 'ENDED');
      await this.stop('ended');
      return;
    }
    if (this.isPhoneCall) {
      await advanceStage(this.session.id, ['IDENTIFY', 'MENU', 'WAITING'], 'ENDED');
      await this.stop('ended');
    }
  }

  private fail(error: unknown) {
    // Leaving the room aborts what was still in flight (attributes, audio): that is no failure.
    if (this.mode.kind === 'stopped') return;
    console.error(`[agents] room ${this.session.room}: ${(error as Error).message}`);
    void this.stop('failed');
  }

  // ---- input: one at a time, in order

  private enqueueInput(input: IvrInput) {
    this.inputQueue = this.inputQueue.then(() => this.handleInput(input)).catch((error) => this.fail(error));
  }

  private async handleInput(input: IvrInput) {
    if (this.mode.kind === 'identify') return this.identifyInput(input);
    if (this.mode.kind === 'menu') return this.menuInput(input);
    if (this.mode.kind === 'waiting' && input.kind === 'digit') return this.waitingKey(input.digit);
  }

  // ---- who is calling (a phone number the clinic does not know)

  private async startIdentify() {
    this.mode = { kind: 'identify', digits: '', silences: 0 };
    await this.setStageAttribute('identify');
    void this.playThenWait([this.t.identifyPrompt]).catch((error) => this.fail(error));
  }

  private async identifyInput(input: IvrInput) {
    const mode = this.mode;
    if (mode.kind !== 'identify') return;
    this.clearNoInput();
    if (input.kind === 'timeout') {
      // Silence: the prompt again, twice, then the call is given up like a wrong date.
      if (++mode.silences <= 2) return void this.playThenWait([this.t.identifyPrompt]).catch((error) => this.fail(error));
      return this.giveUpIdentifying();
    }
    this.audio.stop();
    if (input.digit === '*') {
      mode.digits = '';
      return void this.playThenWait([this.t.identifyPrompt]).catch((error) => this.fail(error));
    }
    if (!/^\d$/.test(input.digit)) return;
    mode.digits += input.digit;
    if (mode.digits.length < 8) {
      this.noInputTimer = setTimeout(() => this.enqueueInput({ kind: 'timeout' }), this.options.noInputMs);
      return;
    }
    const result = await identifyByBirthDate(this.session, mode.digits);
    if (this.mode !== mode) return;
    if (result.identified) {
      this.session = { ...this.session, appointmentId: result.appointmentId, stage: 'MENU' };
      await this.loadPatient();
      return this.startMenu();
    }
    if (result.triesLeft === 0) return this.giveUpIdentifying();
    mode.digits = '';
    mode.silences = 0;
    void this.playThenWait([this.t.identifyRetry, this.t.identifyPrompt]).catch((error) => this.fail(error));
  }

  private async giveUpIdentifying() {
    this.mode = { kind: 'starting' };
    await this.caption(this.t.identifyFailed);
    await this.audio.play(await speak(this.t.identifyFailed, this.locale));
    await advanceStage(this.session.id, ['IDENTIFY'], 'ENDED');
    await this.options.livekit.removeParticipant(this.session.room, this.callerIdentity);
    await this.stop('ended');
  }

  // ---- the menu

  private async startMenu() {
    const menu = await liveMenu(this.session.clinicId);
    this.tree = menu.tree;
    this.menuVersion = menu.version;
    this.mode = { kind: 'menu' };
    await this.setStageAttribute('menu');
    // A worker taking over resumes at the node the caller was on.
    const step = resumeIvr(menu.tree, this.session.menuVersion === menu.version ? this.session.nodeId : null, this.session.path);
    if (step.kind === 'prompt') await this.show(step);
  }

  private async backToMenu() {
    this.stopWaitingMedia();
    this.audio.stop();
    if (this.mode.kind === 'waiting') await advanceStage(this.session.id, ['WAITING'], 'MENU');
    this.session = { ...this.session, nodeId: null, menuVersion: null };
    this.outcome = null;
    await this.setAttributes({ [OUTCOME_ATTRIBUTE]: '' });
    await this.startMenu();
  }

  private node(id: string): MenuNode {
    return this.tree!.nodes.find((n) => n.id === id)!;
  }

  private eventBase() {
    return { sessionId: this.session.id, clinicId: this.session.clinicId, menuVersion: this.menuVersion, nodeId: this.ivr!.nodeId };
  }

  private frameFor(node: MenuNode, extra: { highlightedDigit?: string | null; notice?: string | null } = {}) {
    if (this.isPhoneCall) return null;
    const lang = this.locale === 'en' ? 'en' : 'zh';
    const pixels = renderMenuFrame(
      {
        locale: this.locale,
        title: node.title[lang],
        prompt: node.prompt[lang],
        options: node.options.map((option) => ({ digit: option.digit, label: option.label[lang] })),
        highlightedDigit: extra.highlightedDigit ?? null,
        notice: extra.notice ?? null,
      },
      { width: WIDTH, height: HEIGHT },
    );
    // Converted once: the same menu frame is sent 15 times a second until it changes.
    return i420Frame(pixels, WIDTH, HEIGHT);
  }

  /** What is said for a node: its prompt, then each option. */
  private spokenPrompt(node: MenuNode): string {
    const lang = this.locale === 'en' ? 'en' : 'zh';
    return [node.prompt[lang], ...node.options.map((option) => format(this.t.pressOption, { digit: option.digit, label: option.label[lang] }))].join(' ');
  }

  private async show(step: Extract<IvrStep, { kind: 'prompt' }>) {
    this.ivr = step.state;
    const node = this.node(step.state.nodeId);
    if (step.why === 'enter') {
      this.nodeEnteredAt = Date.now();
      await saveMenuPosition(this.session.id, { menuVersion: this.menuVersion, nodeId: node.id, path: step.state.digits });
      await recordIvrEvent({ ...this.eventBase(), kind: 'ENTER' });
    }
    const notice = step.why === 'invalid' ? this.t.notAnOption : null;
    const frame = this.frameFor(node, { notice });
    this.video.setProvider(() => frame);
    void this.playThenWait([...(notice ? [notice] : []), this.spokenPrompt(node)]).catch((error) => this.fail(error));
  }

  /**
   * Speaks the lines in turn; when they were heard to the end, silence starts counting as no input. A key, a new
   * prompt or a new stage meanwhile ends it (the menu node, or the date-of-birth entry, is no longer the one spoken).
   */
  private async playThenWait(lines: string[]) {
    this.clearNoInput();
    this.audio.stop();
    const modeAtStart = this.mode;
    const ivrAtStart = this.ivr;
    const current = () => this.mode === modeAtStart && this.ivr === ivrAtStart;
    for (const line of lines) {
      const pcm = await speak(line, this.locale);
      if (!current()) return;
      await this.caption(line);
      if ((await this.audio.play(pcm)) === 'stopped') return;
    }
    if (!current()) return;
    this.noInputTimer = setTimeout(() => this.enqueueInput({ kind: 'timeout' }), this.options.noInputMs);
  }

  private clearNoInput() {
    if (this.noInputTimer) clearTimeout(this.noInputTimer);
    this.noInputTimer = null;
  }

  private async menuInput(input: IvrInput) {
    if (!this.ivr || !this.tree) return;
    this.clearNoInput();
    const node = this.node(this.ivr.nodeId);
    const durationMs = Date.now() - this.nodeEnteredAt;
    if (input.kind === 'digit') {
      this.audio.stop();
      const isOption = node.options.some((option) => option.digit === input.digit);
      await recordIvrEvent({ ...this.eventBase(), kind: isOption ? 'CHOICE' : 'INVALID', digit: input.digit, durationMs });
      // The pressed option stays lit a moment on screen; a phone has no screen, so it hears the next prompt at once.
      if (isOption && !this.isPhoneCall) {
        const highlighted = this.frameFor(node, { highlightedDigit: input.digit });
        this.video.setProvider(() => highlighted);
        await new Promise((resolve) => setTimeout(resolve, HIGHLIGHT_MS));
      }
    } else {
      await recordIvrEvent({ ...this.eventBase(), kind: 'TIMEOUT', durationMs });
    }
    const step = stepIvr(this.tree, this.ivr, input);
    if (step.kind === 'prompt') return this.show(step);
    this.ivr = step.state;
    await saveMenuPosition(this.session.id, { menuVersion: this.menuVersion, nodeId: step.state.nodeId, path: step.state.digits });
    const action = step.action;
    switch (action.kind) {
      case 'queue':
        return this.joinQueue({ queueSlug: action.queueSlug, priority: action.priority, reason: action.reason, digits: step.state.digits });
      case 'operator':
        return this.joinQueue({
          queueSlug: FOLLOW_UP_QUEUE_SLUG,
          priority: 1,
          reason: { en: callStrings.en.operatorReason, zh: callStrings['zh-CN'].operatorReason },
          digits: step.state.digits,
        });
      case 'callback':
        return this.requestCallback();
      case 'reschedule':
      case 'vitals':
        // The page takes the patient there; home readings come back to the menu when they are done.
        this.outcome = action.kind;
        await this.setAttributes({ [OUTCOME_ATTRIBUTE]: action.kind });
        return;
    }
  }

  private patientPrincipal() {
    return { kind: 'patient' as const, id: this.patientId, name: '', clinicId: this.session.clinicId, appointmentId: this.session.appointmentId! };
  }

  private async joinQueue(choice: { queueSlug: string; priority: number; reason: { en: string; zh: string }; digits: string[] }) {
    if (!this.session.appointmentId) return;
    const phone = this.isPhoneCall ? { callerNumber: this.session.callerNumber } : undefined;
    await enqueueForAppointment(this.patientPrincipal(), new Date(), choice, phone);
    await advanceStage(this.session.id, ['MENU'], 'WAITING');
    await this.startWaiting();
  }

  private async requestCallback() {
    await db.$transaction((tx) =>
      recordAudit(tx, {
        actor: this.patientId ? `patient:${this.patientId}` : 'system',
        action: 'call.callback-requested',
        clinicId: this.session.clinicId,
        patientId: this.patientId || null,
        subject: this.session.appointmentId ? `Appointment/${this.session.appointmentId}` : `CallSession/${this.session.id}`,
        detail: { path: this.ivr?.digits ?? [] },
      }),
    );
    await this.setAttributes({ [OUTCOME_ATTRIBUTE]: 'callback' });
    await this.audio.play(await speak(this.t.callbackSpoken, this.locale));
    await advanceStage(this.session.id, ['MENU'], 'ENDED');
    await this.stop('ended');
  }

  // ---- the wait

  private async startWaiting() {
    this.mode = { kind: 'waiting' };
    this.audio.stop();
    await this.setStageAttribute('waiting');
    const task = this.session.appointmentId
      ? await db.task.findFirst({ where: { appointmentId: this.session.appointmentId, state: { in: ['WAITING', 'OFFERED'] } }, select: { queueId: true } })
      : null;
    const clips = await chooseWaitingClips(this.session.clinicId, { queueId: task?.queueId ?? null, patientId: this.patientId || null });
    this.waiting = { abort: new AbortController(), unsubscribe: null, clips, clipIndex: 0, lastSpokenAt: 0, lastPosition: null, status: null };
    this.playClip();
    void this.followQueue(this.waiting.abort.signal);
  }

  private playClip() {
    const waiting = this.waiting;
    if (!waiting) return;
    waiting.unsubscribe?.();
    waiting.unsubscribe = null;
    const path = waiting.clips[waiting.clipIndex % Math.max(1, waiting.clips.length)];
    if (!path || this.session.audioOnly) {
      const card = i420Frame(
        renderWaitingCard({ locale: this.locale, title: this.t.waitingTitle, lines: [this.t.waitingLine] }, { width: WIDTH, height: HEIGHT }),
        WIDTH,
        HEIGHT,
      );
      this.video.setProvider(() => card);
      if (!path) return;
    } else {
      // The clip's frames go out as they are decoded; the paced loop stays quiet meanwhile.
      this.video.setProvider(() => null);
    }
    waiting.unsubscribe = sharedClip(path).subscribe({
      onVideo: (frame) => {
        if (this.mode.kind === 'waiting' && !this.session.audioOnly) this.videoSource.captureFrame(frame);
      },
      onAudio: (frame) => {
        if (this.mode.kind === 'waiting' && !this.audio.playing) void this.audioSource.captureFrame(frame).catch(() => {});
      },
    });
  }

  private stopWaitingMedia() {
    if (!this.waiting) return;
    this.waiting.abort.abort();
    this.waiting.unsubscribe?.();
    this.waiting = null;
  }

  /** Follows the caller's task: the position spoken when it changes (at most once a minute); the consult stops everything. */
  private async followQueue(signal: AbortSignal) {
    try {
      // A phone caller has no page that keeps their place in line: while they are on the line, this agent does.
      const keepPlace = async (status: WaitingStatus) => {
        if (this.isPhoneCall && (status.state === 'WAITING' || status.state === 'OFFERED')) await touchTask(status.taskId);
      };
      for await (const status of watchWaitingStatus(this.patientPrincipal(), { idleMs: LIVE_VIEW_IDLE_MS, signal, onIdle: keepPlace })) {
        if (signal.aborted || !this.waiting) return;
        this.waiting.status = status;
        if (status.state === 'ASSIGNED') return void this.stop('consult');
        if (status.state === 'ENDED') {
          await advanceStage(this.session.id, ['WAITING'], 'ENDED');
          return void this.stop('ended');
        }
        const due = Date.now() - this.waiting.lastSpokenAt >= ANNOUNCE_EVERY_MS;
        if (status.position !== this.waiting.lastPosition && due) void this.announcePosition().catch((error) => this.fail(error));
      }
    } catch (error) {
      if (!signal.aborted) this.fail(error);
    }
  }

  private async announcePosition() {
    const waiting = this.waiting;
    const status = waiting?.status;
    if (!waiting || !status || (status.state !== 'WAITING' && status.state !== 'OFFERED')) return;
    waiting.lastSpokenAt = Date.now();
    waiting.lastPosition = status.position;
    const minutes = Math.round(status.estimatedWaitSeconds / 60);
    const line = [format(this.t.positionNow, { position: status.position }), minutes < 1 ? this.t.waitUnderMinute : format(this.t.waitAbout, { minutes })].join(
      ' ',
    );
    const pcm = await speak(line, this.locale);
    if (this.mode.kind !== 'waiting') return;
    await this.caption(line);
    await this.audio.play(pcm);
  }

  private async caption(line: string) {
    await this.setAttributes({ [CAPTION_ATTRIBUTE]: line });
  }

  /** Attributes the page follows; lost ones (the room is going away) do not matter. A phone has no page. */
  private async setAttributes(attributes: Record<string, string>) {
    if (this.mode.kind === 'stopped' || this.isPhoneCall) return;
    await this.room.localParticipant?.setAttributes(attributes).catch((error) => this.fail(error));
  }

  private async waitingKey(digit: string) {
    if (!this.waiting) return;
    if (digit === '0') return this.announcePosition();
    if (digit === '9') return this.backToMenu();
    if (digit === '#') {
      this.waiting.clipIndex++;
      this.playClip();
    }
  }

  private async setStageAttribute(stage: 'identify' | 'menu' | 'waiting') {
    await this.setAttributes({ [STAGE_ATTRIBUTE]: stage, [OUTCOME_ATTRIBUTE]: '' });
  }
}
