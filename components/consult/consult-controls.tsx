'use client';

import {
  DisconnectButton,
  TrackToggle,
  useChat,
  useConnectionQualityIndicator,
  useConnectionState,
  useLocalParticipant,
  useRemoteParticipants,
} from '@livekit/components-react';
import { ConnectionQuality, ConnectionState, Track, type LocalVideoTrack } from 'livekit-client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';

/** How long the connection must stay poor before video is paused by itself. */
const POOR_NETWORK_MS = 5_000;

export function ConnectionBanner() {
  const { t } = useI18n('consult');
  const state = useConnectionState();
  if (state !== ConnectionState.Reconnecting && state !== ConnectionState.SignalReconnecting) return null;
  return (
    <p className="consult-banner" role="status" aria-live="assertive">
      {t.consult.reconnecting}
    </p>
  );
}

/**
 * Audio only: our camera off and other people's video unsubscribed, to save a weak network. It turns on
 * by itself after a spell of poor quality on a working connection; a connection that is lost altogether
 * is a reconnect (with its banner), not a reason to give up video.
 */
function useAudioOnly() {
  const [audioOnly, setAudioOnly] = useState(false);
  const [automatic, setAutomatic] = useState(false);
  const { localParticipant } = useLocalParticipant();
  const remotes = useRemoteParticipants();
  const { quality } = useConnectionQualityIndicator({ participant: localParticipant });
  const connection = useConnectionState();
  const poorSince = useRef<number | null>(null);

  useEffect(() => {
    if (quality !== ConnectionQuality.Poor || connection !== ConnectionState.Connected) {
      poorSince.current = null;
      return;
    }
    poorSince.current ??= Date.now();
    const timer = setTimeout(() => {
      if (poorSince.current !== null && Date.now() - poorSince.current >= POOR_NETWORK_MS) {
        setAudioOnly(true);
        setAutomatic(true);
      }
    }, POOR_NETWORK_MS);
    return () => clearTimeout(timer);
  }, [quality, connection]);

  const firstRun = useRef(true);
  useEffect(() => {
    // Only a change of mode touches the camera, so a camera turned off by hand stays off.
    if (firstRun.current) {
      firstRun.current = false;
      return;
    }
    void localParticipant.setCameraEnabled(!audioOnly).catch(() => {});
  }, [audioOnly, localParticipant]);

  useEffect(() => {
    for (const participant of remotes) {
      for (const publication of participant.videoTrackPublications.values()) publication.setSubscribed(!audioOnly);
    }
  }, [audioOnly, remotes]);

  return {
    audioOnly,
    automatic,
    toggle: () => {
      setAutomatic(false);
      setAudioOnly((on) => !on);
    },
  };
}

function useCanFlipCamera() {
  const [canFlip, setCanFlip] = useState(false);
  useEffect(() => {
    navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setCanFlip(devices.filter((d) => d.kind === 'videoinput').length > 1))
      .catch(() => setCanFlip(false));
  }, []);
  return canFlip;
}

export function ConsultControls({ canShareScreen, onEnd, ending }: { canShareScreen: boolean; onEnd: (() => void) | null; ending: boolean }) {
  const { t } = useI18n('consult');
  const { localParticipant } = useLocalParticipant();
  const audio = useAudioOnly();
  const canFlip = useCanFlipCamera();
  const [facing, setFacing] = useState<'user' | 'environment'>('user');
  const [chatOpen, setChatOpen] = useState(false);

  async function flipCamera() {
    const next = facing === 'user' ? 'environment' : 'user';
    const track = localParticipant.getTrackPublication(Track.Source.Camera)?.track as LocalVideoTrack | undefined;
    await track?.restartTrack({ facingMode: next });
    setFacing(next);
  }

  return (
    <>
      {audio.automatic && audio.audioOnly && (
        <p className="consult-banner" role="status">
          {t.consult.autoAudioOnly}
        </p>
      )}
      {chatOpen && <ChatPanel />}
      <div className="consult-controls" role="toolbar" aria-label={t.consult.title}>
        <TrackToggle source={Track.Source.Microphone}>{t.consult.microphone}</TrackToggle>
        {!audio.audioOnly && <TrackToggle source={Track.Source.Camera}>{t.consult.camera}</TrackToggle>}
        {canFlip && !audio.audioOnly && (
          <button type="button" className="lk-button" onClick={() => void flipCamera()}>
            {t.consult.flipCamera}
          </button>
        )}
        {canShareScreen && <TrackToggle source={Track.Source.ScreenShare}>{t.consult.shareScreen}</TrackToggle>}
        <button type="button" className="lk-button" aria-pressed={audio.audioOnly} onClick={audio.toggle}>
          {audio.audioOnly ? t.consult.videoOn : t.consult.audioOnly}
        </button>
        <button type="button" className="lk-button" aria-pressed={chatOpen} aria-expanded={chatOpen} onClick={() => setChatOpen((o) => !o)}>
          {t.consult.chat}
        </button>
        <DisconnectButton>{t.consult.leave}</DisconnectButton>
        {onEnd && (
          <button type="button" className="lk-button lk-disconnect-button" disabled={ending} onClick={onEnd}>
            {t.consult.endConsult}
          </button>
        )}
      </div>
    </>
  );
}

function ChatPanel() {
  const { t, locale } = useI18n('consult');
  const { chatMessages, send, isSending } = useChat();
  const [draft, setDraft] = useState('');
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [chatMessages.length]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const text = draft.trim();
    if (!text || !send) return;
    await send(text);
    setDraft('');
  }

  return (
    <section className="chat" aria-label={t.consult.chatTitle}>
      {chatMessages.length === 0 ? (
        <p className="muted">{t.consult.noMessages}</p>
      ) : (
        <ol ref={list} aria-live="polite">
          {chatMessages.map((message) => (
            <li key={message.id}>
              <strong>{message.from?.isLocal ? t.consult.you : (message.from?.name ?? '')}</strong>{' '}
              <time dateTime={new Date(message.timestamp).toISOString()}>
                {new Date(message.timestamp).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })}
              </time>
              <p>{message.message}</p>
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={(event) => void submit(event)} className="chat-form">
        <label className="visually-hidden" htmlFor="chat-input">
          {t.consult.chatPlaceholder}
        </label>
        <input id="chat-input" value={draft} maxLength={1000} placeholder={t.consult.chatPlaceholder} onChange={(event) => setDraft(event.target.value)} />
        <button type="submit" className="button" disabled={isSending || !draft.trim()}>
          {t.consult.send}
        </button>
      </form>
    </section>
  );
}
