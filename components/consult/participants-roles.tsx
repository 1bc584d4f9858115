'use client';

import { ParticipantTile, useMaybeTrackRefContext, useParticipantInfo } from '@livekit/components-react';
import type { Participant } from 'livekit-client';
import { useI18n } from '@/components/providers/i18n-provider';
import { partyRoleOf, readParticipantMetadata } from '@/server/shared/consult-policy';
import styles from './participants.module.css';

/** A participant's role as LiveKit carries it (server-signed metadata), kept current when it changes. */
export function useParticipantRole(participant: Participant | undefined) {
  const info = useParticipantInfo({ participant });
  const identity = info.identity ?? participant?.identity ?? '';
  return {
    role: partyRoleOf(identity, info.metadata),
    withPatient: readParticipantMetadata(info.metadata)?.withPatient === true,
  };
}

export function RoleBadge({ participant }: { participant: Participant }) {
  const { t } = useI18n('multiparty');
  const { role, withPatient } = useParticipantRole(participant);
  const label = role === 'NURSE' && withPatient ? t.multiparty.nurseWithPatient : t.multiparty.roles[role ?? 'UNKNOWN'];
  return (
    <span className={styles.badge} data-role={role ?? 'UNKNOWN'}>
      {label}
    </span>
  );
}

/** A video tile with the person's role on it (Patient, GP, Specialist, Nurse · with patient, ...). */
export function ParticipantTileWithRole() {
  const trackRef = useMaybeTrackRefContext();
  return (
    <div className={styles.tile}>
      <ParticipantTile />
      {trackRef?.participant && (
        <div className={styles.tileBadge}>
          <RoleBadge participant={trackRef.participant} />
        </div>
      )}
    </div>
  );
}
