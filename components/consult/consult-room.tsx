'use client';

import '@livekit/components-styles';
import {
  GridLayout,
  LiveKitRoom,
  ParticipantTile,
  RoomAudioRenderer,
  useRoomContext,
  useTracks,
} from '@livekit/components-react';
import { useMutation } from '@tanstack/react-query';
import { DisconnectReason, RoomEvent, Track } from 'livekit-client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { ConnectionBanner, ConsultControls } from './consult-controls';
import { ClinicalPanels } from './clinical-panels';
import { readMediaPreferences } from '@/components/checkin/media-preferences';
import { useTRPC } from '@/components/providers/trpc-provider';
import { ParticipantsPanel } from './participants-panel';
import { ParticipantTileWithRole } from './participants-roles';
import { RemovedWatcher } from './participants-removed';

type Props = { appointmentId: string; title: string; backHref: string | null; canEnd: boolean };

export function ConsultRoom({ appointmentId, title, backHref, canEnd }: Props) {
  const { t } = useI18n('consult', 'errors', 'summary');
  const trpc = useTRPC();
  const join = useMutation(trpc.consult.join.mutationOptions());
  const [left, setLeft] = useState(false);
  const [ended, setEnded] = useState(false);
  const [startWithVideo, setStartWithVideo] = useState(true);
  useEffect(() => setStartWithVideo(!readMediaPreferences().audioOnly), []);
  const requested = useRef(false);
  const router = useRouter();
  const end = useMutation(
    trpc.consult.end.mutationOptions({
      onSuccess: () => router.push(`/consult/${appointmentId}/wrap-up`),
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
        {!backHref && (
          <Link className="button" href="/visit/summary">
            {t.summary.title}
          </Link>
        )}
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
    const message = errorMessage(join.error, t, { codes: { FORBIDDEN: t.errors.forbidden } });
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
      video={startWithVideo}
      onDisconnected={() => setLeft(true)}
    >
      <h1 className="consult-status">{title}</h1>
      <ConnectionBanner />
      <ConsultStage />
      <RoomAudioRenderer />
      <EndedWatcher onEnded={() => setEnded(true)} />
      <RemovedWatcher appointmentId={appointmentId} />
      <div className="consult-side">
        <ParticipantsPanel appointmentId={appointmentId} access={join.data} />
        <ClinicalPanels appointmentId={appointmentId} role={join.data.role} />
      </div>
      <ConsultControls
        canShareScreen={canEnd}
        onEnd={canEnd ? () => end.mutate({ appointmentId }) : null}
        ending={end.isPending}
      />
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
  const { t } = useI18n('consult');
  const remoteTracks = useTracks(
    [
      { source: Track.Source.Camera, withPlaceholder: true },
      { source: Track.Source.ScreenShare, withPlaceholder: false },
    ],
    { onlySubscribed: false },
  ).filter((track) => !track.participant.isLocal);
  const localCamera = useTracks([{ source: Track.Source.Camera, withPlaceholder: true }], { onlySubscribed: false }).find(
    (track) => track.participant.isLocal,
  );
  return (
    <div className="consult-stage">
      {remoteTracks.length === 0 ? (
        <p className="consult-waiting" role="status">
          {t.consult.waitingForOther}
        </p>
      ) : (
        <GridLayout tracks={remoteTracks}>
          <ParticipantTileWithRole />
        </GridLayout>
      )}
      {localCamera && (
        <div className="self-view" aria-label={t.consult.selfView}>
          <ParticipantTile trackRef={localCamera} />
        </div>
      )}
    </div>
  );
}
