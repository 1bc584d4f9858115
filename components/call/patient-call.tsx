'use client';

import '@livekit/components-styles';
import { LiveKitRoom, RoomAudioRenderer, StartAudio, VideoTrack, useRoomContext, useTracks } from '@livekit/components-react';
import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { DisconnectReason, ParticipantKind, RoomEvent, Track, type RemoteParticipant } from 'livekit-client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { readMediaPreferences } from '@/components/checkin/media-preferences';
import { VitalsStep } from '@/components/checkin/vitals-step';
import { ConsultCall, ConsultEnded } from '@/components/consult/consult-room';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { errorMessage } from '@/server/shared/i18n/error-message';
import { format } from '@/server/shared/i18n/format';
import { Keypad } from './keypad';

// Kept in step with server/agents/room-agent.ts (the agent's RPC methods and attributes).
const KEY_RPC_METHOD = 'revisit.key';
const RESUME_RPC_METHOD = 'revisit.resume';
const STAGE_ATTRIBUTE = 'revisit.stage';
const OUTCOME_ATTRIBUTE = 'revisit.outcome';
const CAPTION_ATTRIBUTE = 'revisit.saying';
/** Without publishing rights this long after the accept, the page asks for them again. */
const PERMISSION_FALLBACK_MS = 3000;

type Props = { appointmentId: string; clinicName: string; clinicianName: string };

/**
 * The patient's call from the device check to the end of the consult, on one page and one connection: the clinic's
 * menu and waiting media come from the room's agent; camera and microphone go on once a clinician has taken the call.
 */
export function PatientCall({ appointmentId, clinicName, clinicianName }: Props) {
  const { t, locale } = useI18n('call', 'errors', 'waiting');
  const trpc = useTRPC();
  const start = useMutation(trpc.patientCall.start.mutationOptions());
  const requested = useRef(false);
  const [ended, setEnded] = useState(false);
  const [dropped, setDropped] = useState(false);
  const [left, setLeft] = useState(false);

  const { mutate } = start;
  const connect = useCallback(() => {
    setDropped(false);
    mutate({ audioOnly: readMediaPreferences().audioOnly, locale });
  }, [mutate, locale]);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    connect();
  }, [connect]);

  if (ended) return <ConsultEnded backHref={null} />;
  if (left) return <p className="notice">{t.waiting.left}</p>;
  if (start.isError) {
    return (
      <section className="card">
        <p role="alert" className="alert">
          {errorMessage(start.error, t)}
        </p>
        <button className="button" type="button" onClick={connect}>
          {t.common.tryAgain}
        </button>
      </section>
    );
  }
  if (dropped) {
    return (
      <section className="card">
        <p className="notice">{t.call.ended}</p>
        <button className="button" type="button" onClick={connect}>
          {t.call.rejoin}
        </button>
      </section>
    );
  }
  if (!start.data) {
    return (
      <p role="status" aria-busy="true">
        {t.call.joining}
      </p>
    );
  }
  const access = start.data;
  return (
    <LiveKitRoom serverUrl={access.serverUrl} token={access.token} connect audio={false} video={false} onDisconnected={() => setDropped(true)} className="call">
      <RoomDeletedWatcher onDeleted={() => setEnded(true)} />
      <RoomAudioRenderer />
      <StartAudio label={t.call.startAudio} className="button" />
      <CallStages
        appointmentId={appointmentId}
        title={`${clinicName} · ${clinicianName}`}
        access={access}
        startedInConsult={access.stage === 'CONSULT'}
        onEnded={() => setEnded(true)}
        onLeft={() => setLeft(true)}
      />
    </LiveKitRoom>
  );
}

type Access = Parameters<typeof ConsultCall>[0]['access'];

function CallStages({
  appointmentId,
  title,
  access,
  startedInConsult,
  onEnded,
  onLeft,
}: {
  appointmentId: string;
  title: string;
  access: Access;
  startedInConsult: boolean;
  onEnded: () => void;
  onLeft: () => void;
}) {
  const trpc = useTRPC();
  const [inConsult, setInConsult] = useState(startedInConsult);
  const status = useSubscription(trpc.waitingRoom.watch.subscriptionOptions(undefined, { enabled: !inConsult }));
  // Once the consult has started the page stays in it: its end comes from the room (deleted), not from the queue.
  useEffect(() => {
    if (status.data?.state === 'ASSIGNED') setInConsult(true);
  }, [status.data?.state]);
  const agent = useAgent();

  if (inConsult) return <ConsultStage appointmentId={appointmentId} title={title} access={access} onEnded={onEnded} />;
  return (
    <AgentStage
      appointmentId={appointmentId}
      agent={agent}
      status={status.data}
      reconnecting={status.status === 'connecting' && !!status.data}
      onLeft={onLeft}
    />
  );
}

/** A deleted room: the clinician ended the consult for everyone (this wins over the drop it also causes). */
function RoomDeletedWatcher({ onDeleted }: { onDeleted: () => void }) {
  const room = useRoomContext();
  useEffect(() => {
    const onDisconnected = (reason?: DisconnectReason) => {
      if (reason === DisconnectReason.ROOM_DELETED) onDeleted();
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    return () => {
      room.off(RoomEvent.Disconnected, onDisconnected);
    };
  }, [room, onDeleted]);
  return null;
}

/** The room's media agent and its attributes, kept current. */
function useAgent() {
  const room = useRoomContext();
  const find = useCallback(() => [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT) ?? null, [room]);
  const [agent, setAgent] = useState<{ participant: RemoteParticipant; attributes: Record<string, string> } | null>(null);
  useEffect(() => {
    const update = () => {
      const participant = find();
      setAgent(participant ? { participant, attributes: { ...participant.attributes } } : null);
    };
    update();
    const events = [RoomEvent.ParticipantConnected, RoomEvent.ParticipantDisconnected, RoomEvent.ParticipantAttributesChanged, RoomEvent.Connected] as const;
    for (const event of events) room.on(event, update);
    return () => {
      for (const event of events) room.off(event, update);
    };
  }, [room, find]);
  return agent;
}

type WaitingData = { state: string; position?: number; estimatedWaitSeconds?: number } | undefined;

function AgentStage({
  appointmentId,
  agent,
  status,
  reconnecting,
  onLeft,
}: {
  appointmentId: string;
  agent: ReturnType<typeof useAgent>;
  status: WaitingData;
  reconnecting: boolean;
  onLeft: () => void;
}) {
  const { t } = useI18n('call', 'waiting', 'patientReschedule');
  const trpc = useTRPC();
  const leave = useMutation(trpc.waitingRoom.leave.mutationOptions({ onSuccess: onLeft }));
  const room = useRoomContext();
  const router = useRouter();
  const [sent, setSent] = useState<{ digit: string; ok: boolean } | null>(null);
  const stage = agent?.attributes[STAGE_ATTRIBUTE] === 'waiting' ? 'waiting' : 'menu';
  const outcome = agent?.attributes[OUTCOME_ATTRIBUTE] ?? '';
  const agentVideo = useTracks([Track.Source.Camera], { onlySubscribed: true }).find((track) => track.participant.kind === ParticipantKind.AGENT);

  const press = useCallback(
    async (digit: string) => {
      if (!agent) return;
      try {
        await room.localParticipant.performRpc({ destinationIdentity: agent.participant.identity, method: KEY_RPC_METHOD, payload: digit });
        setSent({ digit, ok: true });
      } catch {
        setSent({ digit, ok: false });
      }
    },
    [agent, room],
  );

  useEffect(() => {
    if (outcome === 'reschedule') router.push('/visit/reschedule');
  }, [outcome, router]);

  if (outcome === 'callback') return <p className="notice">{t.call.callback}</p>;
  if (outcome === 'vitals') {
    return (
      <VitalsStep
        appointmentId={appointmentId}
        onDone={() => {
          if (agent)
            void room.localParticipant.performRpc({ destinationIdentity: agent.participant.identity, method: RESUME_RPC_METHOD, payload: '' }).catch(() => {});
        }}
      />
    );
  }

  return (
    <div className="call-stage">
      <div className="call-video" aria-label={stage === 'waiting' ? t.call.waitingVideo : t.call.menuVideo}>
        {agentVideo ? (
          <VideoTrack trackRef={agentVideo} data-testid="agent-video" />
        ) : (
          <p role="status" aria-busy="true">
            {agent ? t.call.joining : t.call.agentMissing}
          </p>
        )}
      </div>
      {agent?.attributes[CAPTION_ATTRIBUTE] && (
        <p className="call-caption" aria-live="polite" data-testid="agent-caption">
          {agent.attributes[CAPTION_ATTRIBUTE]}
        </p>
      )}
      {stage === 'waiting' && (
        <div className="waiting-status" role="status" aria-live="polite">
          {(status?.state === 'WAITING' || status?.state === 'OFFERED') && (
            <>
              <p className="big">{format(t.waiting.position, { position: status.position ?? 0 })}</p>
              {status.state === 'OFFERED' && <p>{t.waiting.yourTurnSoon}</p>}
              <p>
                {(status.estimatedWaitSeconds ?? 0) < 60
                  ? t.waiting.estimateNow
                  : format(t.waiting.estimate, { minutes: Math.round((status.estimatedWaitSeconds ?? 0) / 60) })}
              </p>
            </>
          )}
          <p>{t.call.waitingKeys}</p>
        </div>
      )}
      {reconnecting && (
        <p className="notice" role="status">
          {t.waiting.reconnecting}
        </p>
      )}
      <Keypad onPress={press} disabled={!agent?.attributes[STAGE_ATTRIBUTE]} />
      <p className="muted" role="status" aria-live="polite">
        {sent ? (sent.ok ? format(t.call.sent, { digit: sent.digit }) : t.call.notSent) : t.call.keypadHint}
      </p>
      <Link href="/visit/reschedule">{t.patientReschedule.changeLink}</Link>
      {stage === 'waiting' && (
        <button className="button secondary" type="button" disabled={leave.isPending} onClick={() => leave.mutate()}>
          {t.waiting.leave}
        </button>
      )}
    </div>
  );
}

/** The consult on the same connection: camera and microphone go on as soon as LiveKit lets this patient publish. */
function ConsultStage({ appointmentId, title, access, onEnded }: { appointmentId: string; title: string; access: Access; onEnded: () => void }) {
  const room = useRoomContext();
  const trpc = useTRPC();
  const { mutate: askToPublish } = useMutation(trpc.patientCall.publish.mutationOptions());
  const asked = useRef(false);
  useEffect(() => {
    // Marks for bench:join: when the page learned of the consult, and when the clinician's camera arrived.
    performance.mark('revisit:consult-stage');
    const onSubscribed = (track: { kind: string }) => {
      if (track.kind === 'video') performance.mark('revisit:remote-video-subscribed');
    };
    room.on(RoomEvent.TrackSubscribed, onSubscribed);
    return () => {
      room.off(RoomEvent.TrackSubscribed, onSubscribed);
    };
  }, [room]);
  useEffect(() => {
    const publish = () => {
      if (!room.localParticipant.permissions?.canPublish) return false;
      const { audioOnly } = readMediaPreferences();
      void room.localParticipant.setMicrophoneEnabled(true);
      if (!audioOnly) void room.localParticipant.setCameraEnabled(true);
      return true;
    };
    let published = false;
    // Rights come with the token (a reload after the accept) or are granted while connected (the accept itself).
    const onChange = () => {
      if (!published) published = publish();
    };
    onChange();
    room.on(RoomEvent.ParticipantPermissionsChanged, onChange);
    room.on(RoomEvent.Connected, onChange);
    const fallback = setTimeout(() => {
      if (!room.localParticipant.permissions?.canPublish && !asked.current) {
        asked.current = true;
        askToPublish();
      }
    }, PERMISSION_FALLBACK_MS);
    return () => {
      room.off(RoomEvent.ParticipantPermissionsChanged, onChange);
      room.off(RoomEvent.Connected, onChange);
      clearTimeout(fallback);
    };
  }, [room, askToPublish]);
  return <ConsultCall appointmentId={appointmentId} title={title} access={access} canEnd={false} onEnded={onEnded} />;
}
