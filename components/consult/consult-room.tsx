'use client';

import '@livekit/components-styles';
import {
  DisconnectButton,
  GridLayout,
  LiveKitRoom,
  ParticipantTile,
  RoomAudioRenderer,
  TrackToggle,
  useRemoteParticipants,
  useRoomContext,
  useTracks,
} from '@livekit/components-react';
import { useMutation } from '@tanstack/react-query';
import { DisconnectReason, RoomEvent, Track } from 'livekit-client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';

type Props = { appointmentId: string; title: string; backHref: string | null; canEnd: boolean };

export function ConsultRoom({ appointmentId, title, backHref, canEnd }: Props) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const join = useMutation(trpc.consult.join.mutationOptions());
  const [left, setLeft] = useState(false);
  const [ended, setEnded] = useState(false);
  const requested = useRef(false);
  const router = useRouter();
  const end = useMutation(
    trpc.consult.end.mutationOptions({
      onSuccess: () => router.push('/staff'),
    }),
  );

  const connect = useCallback(() => {
    setLeft(false);
    join.mutate({ appointmentId });
  }, [appointmentId, join]);

  useEffect(() => {
    // One token per visit to the page, even when React runs effects twice in development.
    if (requested.current) return;
    requested.current = true;
    connect();
  }, [connect]);

  if (ended) {
    return (
      <section className="card">
        <p className="notice" role="status">
          {t.consult.ended}
        </p>
        {backHref && (
          <Link className="button secondary" href={backHref}>
            {t.consult.back}
          </Link>
        )}
      </section>
    );
  }

  if (left) {
    return (
      <section className="card">
        <p className="notice">{t.consult.left}</p>
        <div className="consult-controls">
          <button className="button" type="button" onClick={connect}>
            {t.consult.rejoin}
          </button>
          {backHref && (
            <Link className="button secondary" href={backHref}>
              {t.consult.back}
            </Link>
          )}
        </div>
      </section>
    );
  }

  if (join.isError) {
    const reason = join.error.data?.reason;
    if (reason === 'notYourTurn') {
      router.replace('/visit');
      return null;
    }
    const message =
      reason === 'mediaUnavailable'
        ? t.consult.mediaUnavailable
        : reason === 'revoked'
          ? t.patientCheck.revoked
          : join.error.data?.code === 'FORBIDDEN'
            ? t.errors.forbidden
            : t.common.somethingWrong;
    return (
      <section className="card">
        <p role="alert" className="alert">
          {message}
        </p>
        <button className="button" type="button" onClick={connect}>
          {t.common.tryAgain}
        </button>
      </section>
    );
  }

  if (!join.data) {
    return (
      <p className="consult-status" role="status">
        {t.consult.connecting}
      </p>
    );
  }

  return (
    <LiveKitRoom
      className="consult"
      data-lk-theme="default"
      serverUrl={join.data.serverUrl}
      token={join.data.token}
      connect
      audio
      video
      onDisconnected={() => setLeft(true)}
    >
      <h1 className="consult-status">{title}</h1>
      <ConsultStage />
      <RoomAudioRenderer />
      <EndedWatcher onEnded={() => setEnded(true)} />
      <div className="consult-controls" role="toolbar" aria-label={t.consult.title}>
        <TrackToggle source={Track.Source.Microphone}>{t.consult.microphone}</TrackToggle>
        <TrackToggle source={Track.Source.Camera}>{t.consult.camera}</TrackToggle>
        <DisconnectButton>{t.consult.leave}</DisconnectButton>
        {canEnd && (
          <button
            type="button"
            className="lk-button"
            disabled={end.isPending}
            onClick={() => end.mutate({ appointmentId })}
          >
            {t.desk.endConsult}
          </button>
        )}
      </div>
    </LiveKitRoom>
  );
}

/** LiveKit says why the call dropped; a deleted room means the clinician ended the consult. */
function EndedWatcher({ onEnded }: { onEnded: () => void }) {
  const room = useRoomContext();
  useEffect(() => {
    const onDisconnected = (reason?: DisconnectReason) => {
      if (reason === DisconnectReason.ROOM_DELETED) onEnded();
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    return () => {
      room.off(RoomEvent.Disconnected, onDisconnected);
    };
  }, [room, onEnded]);
  return null;
}

function ConsultStage() {
  const { t } = useI18n();
  const tracks = useTracks([{ source: Track.Source.Camera, withPlaceholder: true }], { onlySubscribed: false });
  const others = useRemoteParticipants();
  return (
    <div className="consult-stage">
      {others.length === 0 && (
        <p className="consult-status" role="status" style={{ color: '#fff', padding: '0.5rem' }}>
          {t.consult.waitingForOther}
        </p>
      )}
      <GridLayout tracks={tracks}>
        <ParticipantTile />
      </GridLayout>
    </div>
  );
}
