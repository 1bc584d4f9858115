'use client';

import { useLocalParticipant, useParticipants } from '@livekit/components-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ParticipantKind, type Participant } from 'livekit-client';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { mayMute, mayRemove, type ConsultPermissions, type PartyRole } from '@/server/shared/consult-policy';
import { format } from '@/server/shared/i18n/format';
import { multipartyError } from './participants-errors';
import { RoleBadge, useParticipantRole } from './participants-roles';
import { SpecialistRequestPanel } from './participants-specialist-request';
import { SpecialistNotePanel } from './participants-specialist-note';
import { DialOutPanel } from './participants-dial-out';
import { StepUpToVideo } from './step-up-to-video';
import { InvitePanel } from './participants-invite';
import styles from './participants.module.css';

export type ConsultAccess = { partyRole: PartyRole; permissions: ConsultPermissions };

/**
 * Who is in the consult with their roles, and what this person may do about it: mute or remove others,
 * request a specialist, invite a guest, call a phone, write the specialist note.
 */
export function ParticipantsPanel({ appointmentId, access }: { appointmentId: string; access: ConsultAccess }) {
  const { t } = useI18n('multiparty');
  // Media agents (the clinic's menu and waiting media) are not people in the consult.
  const participants = useParticipants().filter((participant) => participant.kind !== ParticipantKind.AGENT);
  const clinical = access.permissions.viewChart;
  return (
    <details className={styles.panel} open={clinical} aria-label={t.multiparty.people}>
      <summary>{format(t.multiparty.peopleCount, { count: participants.length })}</summary>
      <ul className={styles.people} aria-label={t.multiparty.people}>
        {participants.map((participant) => (
          <PersonRow key={participant.identity} participant={participant} appointmentId={appointmentId} myRole={access.partyRole} />
        ))}
      </ul>
      {access.partyRole === 'NURSE' && <StartWithPatient appointmentId={appointmentId} />}
      {access.permissions.requestSpecialist && <SpecialistRequestPanel appointmentId={appointmentId} />}
      {access.permissions.invite && <InvitePanel appointmentId={appointmentId} />}
      {access.permissions.invite && <StepUpToVideo appointmentId={appointmentId} />}
      {access.permissions.dialOut && <DialOutPanel appointmentId={appointmentId} />}
      {access.permissions.writeSpecialistNote && <SpecialistNotePanel appointmentId={appointmentId} />}
    </details>
  );
}

function PersonRow({ participant, appointmentId, myRole }: { participant: Participant; appointmentId: string; myRole: PartyRole }) {
  const { t } = useI18n('errors', 'multiparty');
  const trpc = useTRPC();
  const { role } = useParticipantRole(participant);
  const mute = useMutation(trpc.multiparty.muteParticipant.mutationOptions());
  const queryClient = useQueryClient();
  // A removed guest's invitation is withdrawn with them: the invitations list shows it.
  const remove = useMutation(
    trpc.multiparty.removeParticipant.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.multiparty.listInvites.queryKey() }),
    }),
  );
  const name = participant.name || participant.identity;
  const isMe = participant.isLocal;
  const canMute = !isMe && role !== null && mayMute(myRole, role);
  const canRemove = !isMe && role !== null && mayRemove(myRole, role);
  const error = multipartyError(mute.error ?? remove.error, t);
  return (
    <li className={styles.person} data-identity={participant.identity}>
      <span className={styles.name}>
        {name}
        {isMe ? ` (${t.multiparty.you})` : ''}
      </span>
      <RoleBadge participant={participant} />
      {!participant.isMicrophoneEnabled && <span className="muted">{t.multiparty.muted}</span>}
      {(canMute || canRemove) && (
        <span className={styles.actions}>
          {canMute && participant.isMicrophoneEnabled && (
            <button
              type="button"
              className="button secondary"
              disabled={mute.isPending}
              aria-label={format(t.multiparty.mute, { name })}
              onClick={() => mute.mutate({ appointmentId, identity: participant.identity })}
            >
              {t.multiparty.muteShort}
            </button>
          )}
          {canRemove && (
            <button
              type="button"
              className="button secondary"
              disabled={remove.isPending}
              aria-label={format(t.multiparty.remove, { name })}
              onClick={() => {
                if (window.confirm(format(t.multiparty.confirmRemove, { name }))) remove.mutate({ appointmentId, identity: participant.identity });
              }}
            >
              {t.multiparty.removeShort}
            </button>
          )}
        </span>
      )}
      {error && (
        <span role="alert" className="alert">
          {error}
        </span>
      )}
    </li>
  );
}

/** The nurse's device stands for the patient at their side; this also starts the consult when nobody has. */
function StartWithPatient({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const trpc = useTRPC();
  const { localParticipant } = useLocalParticipant();
  const { withPatient } = useParticipantRole(localParticipant);
  const start = useMutation(trpc.multiparty.startWithPatient.mutationOptions());
  if (withPatient) {
    return (
      <p className="notice" role="status">
        {t.multiparty.startedWithPatient}
      </p>
    );
  }
  return (
    <div className={styles.section}>
      <button type="button" className="button" disabled={start.isPending} onClick={() => start.mutate({ appointmentId })} aria-describedby="with-patient-hint">
        {t.multiparty.startWithPatient}
      </button>
      <span id="with-patient-hint" className="muted">
        {t.multiparty.startWithPatientHint}
      </span>
      {start.error && (
        <p role="alert" className="alert">
          {multipartyError(start.error, t)}
        </p>
      )}
    </div>
  );
}
