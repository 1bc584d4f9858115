import { describe, expect, it } from 'vitest';
import { buildLastVisit } from './chart-mapper';
import { toFhirVisitRecord } from './visit-record-mapper';

const input = {
  appointmentId: 'appt1',
  patientReference: 'Patient/p1',
  period: { start: new Date('2026-11-24T02:00:00Z'), end: new Date('2026-11-24T02:14:00Z') },
  reason: 'Blood pressure follow-up',
  careTeam: [
    { id: 'doc1', name: 'Dr. Wang', role: 'CLINICIAN' as const },
    { id: 'nurse1', name: 'Nurse Li', role: 'NURSE' as const },
  ],
  note: { freeText: 'Feels well.', assessment: 'BP controlled', plan: 'Continue amlodipine 5 mg' },
  writtenAt: new Date('2026-11-24T02:20:00Z'),
};

describe('toFhirVisitRecord', () => {
  it('writes a finished virtual Encounter with the consult period, the care team and the reason', () => {
    const { encounter } = toFhirVisitRecord(input);
    expect(encounter).toMatchObject({
      status: 'finished',
      class: { code: 'VR' },
      subject: { reference: 'Patient/p1' },
      period: { start: '2026-11-24T02:00:00.000Z', end: '2026-11-24T02:14:00.000Z' },
      reasonCode: [{ text: 'Blood pressure follow-up' }],
      identifier: [{ value: 'encounter:appt1' }],
    });
    expect(encounter.participant!.map((p) => [p.type![0]!.coding![0]!.code, p.individual!.display])).toEqual([
      ['PPRF', 'Dr. Wang'],
      ['PART', 'Nurse Li'],
    ]);
  });

  it('writes the note as text/plain that the next panel reads back as the last visit', () => {
    const { encounter, note } = toFhirVisitRecord(input);
    expect(note.content[0]!.attachment.contentType).toMatch(/^text\/plain/);
    const stored = { ...note, id: 'd1', context: { ...note.context, encounter: [{ reference: 'Encounter/e1' }] } };
    const visit = buildLastVisit([{ ...encounter, id: 'e1' }], [stored]);
    expect(visit?.reason).toBe('Blood pressure follow-up');
    expect(visit?.notes[0]!.text).toContain('Continue amlodipine 5 mg');
    expect(visit?.notes[0]!.text).toContain('Feels well.');
  });
});
