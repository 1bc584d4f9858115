'use client';

import '@livekit/components-styles';
import { GridLayout, LiveKitRoom, ParticipantTile, RoomAudioRenderer, useRoomContext, useTracks } from '@livekit/components-react';
import { useMutation } from '@tanstack/react-query';
import { DisconnectReason, ParticipantEvent, ParticipantKind, RoomEvent, Track, type RemoteParticipant, type RemoteTrackPublication } from 'livekit-client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { ConnectionBanner, ConsultControls } from './consult-controls';
import { ClinicalPanels } from './clinical-panels';
import { readMediaPreferences } from '@/components/checkin/media-preferences';
import { useTRPC } from '@/components/providers/trpc-provider';
import { ParticipantsPanel, type ConsultAccess } from './participants-panel';
import { ParticipantTileWithRole } from './participants-roles';
import { RemovedWatcher } from './participants-removed';
import { takePreparedCall } from './prepared-call';

type Props = { appointmentId: string; title: string; backHref: string | null; canEnd: boolean };

/** What the join gave this person: the token and where to use it, their role and what they may do. */
type Access = ConsultAccess & { serverUrl: string; token: string; role: string };

type Refusal = { data?: { reason?: string | null } | null };

/** Which screen the consult page shows, from what has happened so far (exported for its tests). */
export type ConsultScreen<A, E> =
  { kind: 'ended' } | { kind: 'left' } | { kind: 'notYourTurn' } | { kind: 'refused'; error: E } | { kind: 'connecting' } | { kind: 'call'; access: A };

/**
 * A deleted room (the clinician ended the consult) also disconnects everyone, so ended wins over left;
 * leaving wins over the outcome of the last join, since "join again" asks for a new one.
 */
export function consultScreen<A, E extends Refusal>({
  ended,
  left,
  join,
}: {
  ended: boolean;
  left: boolean;
  join: { error: E | null; data: A | undefined };
}): ConsultScreen<A, E> {
  if (ended) return { kind: 'ended' };
  if (left) return { kind: 'left' };
  if (join.error) return join.error.data?.reason === 'notYourTurn' ? { kind: 'notYourTurn' } : { kind: 'refused', error: join.error };
  if (!join.data) return { kind: 'connecting' };
  return { kind: 'call', access: join.data };
}

export function ConsultRoom({ appointmentId, title, backHref, canEnd }: Props) {
  const { t } = useI18n('consult', 'errors');
  const trpc = useTRPC();
  const join = useMutation(trpc.consult.join.mutationOptions());
  const [left, setLeft] = useState(false);
  const [ended, setEnded] = useState(false);
  const [startWithVideo, setStartWithVideo] = useState(true);
  useEffect(() => setStartWithVideo(!readMediaPreferences().audioOnly), []);
  const requested = useRef(false);
  const router = useRouter();
  // An accepted offer's room is already connecting (prepared while it rang): taken once, on the first render.
  const [prepared, setPrepared] = useState(() => takePreparedCall(appointmentId));

  const connect = useCallback(() => {
    setLeft(false);
    setPrepared(null);
    join.mutate({ appointmentId });
  }, [appointmentId, join]);

  useEffect(() => {
    // One token per visit to the page, even when React runs effects twice in development.
    if (requested.current || prepared) return;
    requested.current = true;
    connect();
  }, [connect, prepared]);

  const screen = consultScreen<Access, NonNullable<typeof join.error>>({
    ended,
    left,
    join: prepared ? { error: null, data: prepared.access as unknown as Access } : join,
  });
  switch (screen.kind) {
    case 'ended':
      return <ConsultEnded backHref={backHref} />;
    case 'left':
      return <ConsultLeft backHref={backHref} onRejoin={connect} />;
    case 'notYourTurn':
      router.replace('/visit');
      return null;
    case 'refused':
      return (
        <section className="card">
          <p role="alert" className="alert">
            {errorMessage(screen.error, t, { codes: { FORBIDDEN: t.errors.forbidden } })}
          </p>
          <button className="button" type="button" onClick={connect}>
            {t.common.tryAgain}
          </button>
        </section>
      );
    case 'connecting':
      return (
        <p className="consult-status" role="status">
          {t.consult.connecting}
        </p>
      );
    case 'call':
      return (
        <LiveKitRoom
          className="consult"
          data-lk-theme="default"
          serverUrl={screen.access.serverUrl}
          token={screen.access.token}
          room={prepared?.room}
          connect
          // A prepared room publishes the camera and microphone it started while the offer rang.
          audio={!prepared}
          video={!prepared && startWithVideo}
          // Tracks are subscribed one by one (PeopleOnly): never the clinic's media agents.
          connectOptions={{ autoSubscribe: false }}
          onDisconnected={() => setLeft(true)}
        >
          <PeopleOnly />
          <ConsultCall appointmentId={appointmentId} title={title} access={screen.access} canEnd={canEnd} onEnded={() => setEnded(true)} />
        </LiveKitRoom>
      );
  }
}

/** The consult has ended for everyone: the patient goes on to their summary, staff back to their day. */
export function ConsultEnded({ backHref }: { backHref: string | null }) {
  const { t } = useI18n('consult', 'summary');
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

/** This person left the call (or lost it for good); the consult goes on without them. */
export function ConsultLeft({ backHref, onRejoin }: { backHref: string | null; onRejoin: () => void }) {
  const { t } = useI18n('consult');
  return (
    <section className="card">
      <p className="notice">{t.consult.left}</p>
      <div className="consult-controls">
        <button className="button" type="button" onClick={onRejoin}>
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

/** Everything inside the LiveKit room: rendered in the room's context (LiveKitRoom, or a test's). */
export function ConsultCall({
  appointmentId,
  title,
  access,
  canEnd,
  onEnded,
}: {
  appointmentId: string;
  title: string;
  access: Access;
  canEnd: boolean;
  onEnded: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const end = useMutation(
    trpc.consult.end.mutationOptions({
      onSuccess: () => router.push(`/consult/${appointmentId}/wrap-up`),
    }),
  );
  return (
    <>
      <h1 className="consult-status">{title}</h1>
      <ConnectionBanner />
      <ConsultStage />
      <RoomAudioRenderer />
      <EndedWatcher onEnded={onEnded} />
      <RemovedWatcher appointmentId={appointmentId} />
      <div className="consult-side">
        <ParticipantsPanel appointmentId={appointmentId} access={access} />
        {/* Guests (family, interpreters) take part in the call, not in the clinical data: no chart, no shared panels. */}
        {access.role !== 'guest' && <ClinicalPanels appointmentId={appointmentId} role={access.role} />}
      </div>
      <ConsultControls canShareScreen={canEnd} onEnd={canEnd ? () => end.mutate({ appointmentId }) : null} ending={end.isPending} />
    </>
  );
}

/**
 * Subscribes to every person's tracks and to none of a media agent's (the menu and waiting media are for the
 * caller alone), as they are published.
 */
function PeopleOnly() {
  const room = useRoomContext();
  useEffect(() => {
    const subscribe = (publication: RemoteTrackPublication, participant: RemoteParticipant) => {
      if (participant.kind !== ParticipantKind.AGENT && !publication.isSubscribed) publication.setSubscribed(true);
    };
    // The participant's own event: the room passes publications on only once it is connected, and drops them meanwhile.
    const watched = new Map<RemoteParticipant, (publication: RemoteTrackPublication) => void>();
    const watch = (participant: RemoteParticipant) => {
      if (!watched.has(participant)) {
        const onPublished = (publication: RemoteTrackPublication) => subscribe(publication, participant);
        participant.on(ParticipantEvent.TrackPublished, onPublished);
        watched.set(participant, onPublished);
      }
      for (const publication of participant.trackPublications.values()) subscribe(publication, participant);
    };
    const watchAll = () => {
      for (const participant of room.remoteParticipants.values()) watch(participant);
    };
    watchAll();
    const roomEvents = [RoomEvent.SignalConnected, RoomEvent.Connected, RoomEvent.Reconnected] as const;
    for (const event of roomEvents) room.on(event, watchAll);
    room.on(RoomEvent.ParticipantConnected, watch);
    return () => {
      for (const event of roomEvents) room.off(event, watchAll);
      room.off(RoomEvent.ParticipantConnected, watch);
      for (const [participant, onPublished] of watched) participant.off(ParticipantEvent.TrackPublished, onPublished);
    };
  }, [room]);
  return null;
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
  ).filter((track) => !track.participant.isLocal && track.participant.kind !== ParticipantKind.AGENT);
  const localCamera = useTracks([{ source: Track.Source.Camera, withPlaceholder: true }], { onlySubscribed: false }).find((track) => track.participant.isLocal);
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
