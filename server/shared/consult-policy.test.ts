import { describe, expect, it } from 'vitest';
import { isCareTeam, may, mayMute, mayRemove, partyRoleOf, permissionsOf, readParticipantMetadata, sideOf, PARTY_ROLES } from '@/server/shared/consult-policy';

describe('consult policy', () => {
  it('lets only the hosts (GP, nurse) request a specialist and end the consult for everyone', () => {
    expect(PARTY_ROLES.filter((r) => may(r, 'requestSpecialist'))).toEqual(['GP', 'NURSE']);
    expect(PARTY_ROLES.filter((r) => may(r, 'endForAll'))).toEqual(['GP', 'NURSE']);
  });

  it('gives the chart, invites and dial-out to clinical parties only', () => {
    for (const action of ['viewChart', 'invite', 'dialOut'] as const) {
      expect(PARTY_ROLES.filter((r) => may(r, action))).toEqual(['GP', 'SPECIALIST', 'NURSE']);
    }
    expect(permissionsOf('FAMILY')).toEqual({
      requestSpecialist: false,
      invite: false,
      dialOut: false,
      remove: false,
      muteOthers: false,
      endForAll: false,
      viewChart: false,
      writeSpecialistNote: false,
    });
    expect(permissionsOf('SPECIALIST').writeSpecialistNote).toBe(true);
    expect(permissionsOf('GP').writeSpecialistNote).toBe(false);
  });

  it('lets hosts remove specialists, guests and phones but never the patient or another host', () => {
    expect(PARTY_ROLES.filter((target) => mayRemove('GP', target))).toEqual(['SPECIALIST', 'INTERPRETER', 'FAMILY', 'PHONE']);
    expect(PARTY_ROLES.filter((target) => mayRemove('NURSE', target))).toEqual(['SPECIALIST', 'INTERPRETER', 'FAMILY', 'PHONE']);
    expect(PARTY_ROLES.filter((target) => mayRemove('SPECIALIST', target))).toEqual(['INTERPRETER', 'FAMILY', 'PHONE']);
    for (const actor of ['PATIENT', 'FAMILY', 'INTERPRETER', 'PHONE'] as const) {
      expect(PARTY_ROLES.some((target) => mayRemove(actor, target))).toBe(false);
    }
  });

  it('lets clinical parties mute patients and guests; hosts may also mute a specialist', () => {
    expect(PARTY_ROLES.filter((target) => mayMute('GP', target))).toEqual(['PATIENT', 'SPECIALIST', 'INTERPRETER', 'FAMILY', 'PHONE']);
    expect(PARTY_ROLES.filter((target) => mayMute('SPECIALIST', target))).toEqual(['PATIENT', 'INTERPRETER', 'FAMILY', 'PHONE']);
    expect(mayMute('PATIENT', 'FAMILY')).toBe(false);
    expect(mayMute('INTERPRETER', 'PATIENT')).toBe(false);
  });

  it('counts GP, specialist and nurse as the care team, and puts each party on its side of the call', () => {
    expect(PARTY_ROLES.filter(isCareTeam)).toEqual(['GP', 'SPECIALIST', 'NURSE']);
    expect(PARTY_ROLES.map(sideOf)).toEqual(['patient', 'clinician', 'clinician', 'nurse', 'guest', 'guest', 'guest']);
  });

  it('reads roles from token metadata, phone parties from their SIP identity, and nothing from junk', () => {
    expect(partyRoleOf('u1', JSON.stringify({ role: 'nurse', partyRole: 'NURSE', withPatient: true }))).toBe('NURSE');
    expect(readParticipantMetadata(JSON.stringify({ role: 'nurse', partyRole: 'NURSE', withPatient: true }))?.withPatient).toBe(true);
    expect(partyRoleOf('sip_+8613800000001', '')).toBe('PHONE');
    expect(partyRoleOf('u2', '{not json')).toBeNull();
    expect(partyRoleOf('u3', JSON.stringify({ partyRole: 'ADMIN' }))).toBeNull();
  });
});
