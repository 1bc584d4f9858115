// The wrap-up as FHIR: an Encounter for the video consult and the visit note as a text/plain
// DocumentReference. Identifiers come from the appointment, so saving the wrap-up again replaces them.
import { LOINC, LOINC_SYSTEM, REVISIT_IDENTIFIER_SYSTEM } from '@/server/shared/vital-signs';

export const STAFF_IDENTIFIER_SYSTEM = 'urn:revisit:staff';
const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

export type VisitRecordInput = {
  appointmentId: string;
  patientReference: string;
  period: { start: Date; end: Date };
  reason: string | null;
  /** The clinician in charge first, then anyone else from the care team who joined. */
  careTeam: { id: string; name: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' }[];
  note: { freeText: string; assessment: string; plan: string };
  writtenAt: Date;
};

export function visitNoteText(note: VisitRecordInput['note']): string {
  return [note.freeText, `评估 Assessment:\n${note.assessment}`, `计划 Plan:\n${note.plan}`].filter((part) => part.trim()).join('\n\n');
}

export function toFhirVisitRecord(input: VisitRecordInput): { encounter: fhir4.Encounter; note: fhir4.DocumentReference } {
  const subject = { reference: input.patientReference };
  const period = { start: input.period.start.toISOString(), end: input.period.end.toISOString() };
  const people = input.careTeam.map((member) => ({
    display: member.name,
    identifier: { system: STAFF_IDENTIFIER_SYSTEM, value: member.id },
  }));
  const encounter: fhir4.Encounter = {
    resourceType: 'Encounter',
    identifier: [{ system: REVISIT_IDENTIFIER_SYSTEM, value: `encounter:${input.appointmentId}` }],
    status: 'finished',
    class: { system: ACT_CODE_SYSTEM, code: 'VR', display: 'virtual' },
    subject,
    participant: people.map((individual, index) => ({
      type: [
        {
          coding: [
            index === 0
              ? { system: PARTICIPATION_SYSTEM, code: 'PPRF', display: 'primary performer' }
              : { system: PARTICIPATION_SYSTEM, code: 'PART', display: 'Participation' },
          ],
        },
      ],
      individual,
    })),
    period,
    ...(input.reason ? { reasonCode: [{ text: input.reason }] } : {}),
  };
  const note: fhir4.DocumentReference = {
    resourceType: 'DocumentReference',
    identifier: [{ system: REVISIT_IDENTIFIER_SYSTEM, value: `visit-note:${input.appointmentId}` }],
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: LOINC_SYSTEM, code: LOINC.visitNote, display: 'Progress note' }], text: 'Progress note' },
    subject,
    date: input.writtenAt.toISOString(),
    author: people.slice(0, 1),
    description: 'Follow-up visit note',
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'zh-CN',
          data: Buffer.from(visitNoteText(input.note), 'utf8').toString('base64'),
          title: 'Follow-up visit note',
        },
      },
    ],
    context: { period },
  };
  return { encounter, note };
}
