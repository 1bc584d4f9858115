// Who may do what in a multi-party consult. The one place these rules live: routers and services ask
// here, and the room's buttons are shown from the same answers.

export const PARTY_ROLES = ['PATIENT', 'GP', 'SPECIALIST', 'NURSE', 'INTERPRETER', 'FAMILY', 'PHONE'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export type ConsultAction = 'requestSpecialist' | 'invite' | 'dialOut' | 'remove' | 'muteOthers' | 'endForAll' | 'viewChart' | 'writeSpecialistNote';

const CLINICAL: readonly PartyRole[] = ['GP', 'SPECIALIST', 'NURSE'];
const HOSTS: readonly PartyRole[] = ['GP', 'NURSE'];

/** The care team of a consult: who sees the chart and shares panels (not the patient, guests or phones). */
export function isCareTeam(role: PartyRole): boolean {
  return CLINICAL.includes(role);
}

/**
 * The side of the call a party is on, as the token metadata's `role` carries it and the room's clinical
 * panels read it: the patient, a clinician (GP or specialist), a nurse, or anyone else let in.
 */
const SIDE_OF = {
  PATIENT: 'patient',
  GP: 'clinician',
  SPECIALIST: 'clinician',
  NURSE: 'nurse',
  INTERPRETER: 'guest',
  FAMILY: 'guest',
  PHONE: 'guest',
} as const satisfies Record<PartyRole, string>;

export type ConsultSide = (typeof SIDE_OF)[PartyRole];

export function sideOf(role: PartyRole): ConsultSide {
  return SIDE_OF[role];
}

const RULES: Record<ConsultAction, readonly PartyRole[]> = {
  // The clinicians who hold the consult bring in a specialist; a specialist does not chain another.
  requestSpecialist: HOSTS,
  invite: CLINICAL,
  dialOut: CLINICAL,
  remove: CLINICAL,
  muteOthers: CLINICAL,
  endForAll: HOSTS,
  viewChart: CLINICAL,
  writeSpecialistNote: ['SPECIALIST'],
};

export function may(role: PartyRole, action: ConsultAction): boolean {
  return RULES[action].includes(role);
}

/**
 * Removing someone: hosts may remove anyone but the patient (ending the consult is how the patient
 * leaves) and themselves; a specialist may remove only guests and phone parties.
 */
export function mayRemove(actor: PartyRole, target: PartyRole): boolean {
  if (!may(actor, 'remove')) return false;
  if (target === 'PATIENT') return false;
  if (HOSTS.includes(actor)) return target !== 'GP' && target !== 'NURSE';
  return target === 'INTERPRETER' || target === 'FAMILY' || target === 'PHONE';
}

/** Muting another's microphone: clinical parties may mute anyone but each other. */
export function mayMute(actor: PartyRole, target: PartyRole): boolean {
  if (!may(actor, 'muteOthers')) return false;
  return !CLINICAL.includes(target) || (HOSTS.includes(actor) && target === 'SPECIALIST');
}

export type ConsultPermissions = Record<ConsultAction, boolean>;

/** Everything the room needs to draw the right buttons for this person. */
export function permissionsOf(role: PartyRole): ConsultPermissions {
  return {
    requestSpecialist: may(role, 'requestSpecialist'),
    invite: may(role, 'invite'),
    dialOut: may(role, 'dialOut'),
    remove: may(role, 'remove'),
    muteOthers: may(role, 'muteOthers'),
    endForAll: may(role, 'endForAll'),
    viewChart: may(role, 'viewChart'),
    writeSpecialistNote: may(role, 'writeSpecialistNote'),
  };
}

/** What LiveKit carries in each participant's token metadata (server-signed; participants cannot change it). */
export type ParticipantMetadata = { role: string; partyRole: PartyRole; withPatient?: boolean };

export function readParticipantMetadata(metadata: string | undefined | null): ParticipantMetadata | null {
  if (!metadata) return null;
  try {
    const parsed = JSON.parse(metadata) as Partial<ParticipantMetadata>;
    if (!parsed.partyRole || !(PARTY_ROLES as readonly string[]).includes(parsed.partyRole)) return null;
    return { role: parsed.role ?? '', partyRole: parsed.partyRole, withPatient: parsed.withPatient === true };
  } catch {
    return null;
  }
}

/** Phone parties join through LiveKit SIP with identities `sip_<number>` and no metadata of ours. */
export function partyRoleOf(identity: string, metadata: string | undefined | null): PartyRole | null {
  const parsed = readParticipantMetadata(metadata);
  if (parsed) return parsed.partyRole;
  if (identity.startsWith('sip_')) return 'PHONE';
  return null;
}
