import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { DomainError } from '@/server/errors';
import { addVisit, createClinic, createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { auditChartRead, authorizePatientChart, registerChartAccessRule } from './patient-access';

type Scenario = Awaited<ReturnType<typeof createVisitScenario>>;
const staffOf = (user: { id: string; name: string; role: string; clinicId: string }): Principal => ({
  kind: 'staff',
  id: user.id,
  name: user.name,
  role: user.role as StaffRole,
  clinicId: user.clinicId,
});

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function linkChart(s: Scenario, fhirPatientId: string) {
  await db.patient.update({ where: { id: s.patient.id }, data: { fhirPatientId } });
}

describe('patient chart access', () => {
  it("lets a patient see their own chart and nobody else's", async () => {
    const s = await createVisitScenario();
    await linkChart(s, 'fhir-own');
    const neighbour = await addVisit(s.clinic.id, s.doctor.id);

    const own = await authorizePatientChart(patientPrincipal(s), s.patient.id);
    expect(own).toMatchObject({ patientId: s.patient.id, fhirPatientId: 'fhir-own', grantedBy: 'self', clinicId: s.clinic.id });

    const error = await refusal(authorizePatientChart(patientPrincipal(s), neighbour.patient.id));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.reason).toBe('chartForbidden');
    const other = await createVisitScenario();
    expect((await refusal(authorizePatientChart(patientPrincipal(s), other.patient.id))).code).toBe('FORBIDDEN');
    expect((await refusal(authorizePatientChart(patientPrincipal(other), s.patient.id))).code).toBe('FORBIDDEN');
  });

  it('lets staff see patients of their own clinic only', async () => {
    const s = await createVisitScenario();
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    expect((await authorizePatientChart(staffOf(s.doctor), s.patient.id)).grantedBy).toBe('clinic');
    expect((await authorizePatientChart(staffOf(nurse), s.patient.id)).grantedBy).toBe('clinic');

    const otherClinic = await createClinic();
    const stranger = await createStaff(otherClinic.id, 'CLINICIAN');
    const admin = await createStaff(otherClinic.id, 'ADMIN');
    expect((await refusal(authorizePatientChart(staffOf(stranger), s.patient.id))).code).toBe('FORBIDDEN');
    expect((await refusal(authorizePatientChart(staffOf(admin), s.patient.id))).code).toBe('FORBIDDEN');
  });

  it('refuses unknown patients like foreign ones, and anonymous callers outright', async () => {
    const s = await createVisitScenario();
    expect((await refusal(authorizePatientChart(staffOf(s.doctor), 'no-such-patient'))).code).toBe('FORBIDDEN');
    expect((await refusal(authorizePatientChart(null, s.patient.id))).code).toBe('UNAUTHORIZED');
  });

  it('audits every refusal with who tried and which patient', async () => {
    const s = await createVisitScenario();
    const otherClinic = await createClinic();
    const stranger = await createStaff(otherClinic.id, 'CLINICIAN');
    await refusal(authorizePatientChart(staffOf(stranger), s.patient.id));
    const events = await db.auditEvent.findMany({ where: { actor: `staff:${stranger.id}`, action: 'chart.read' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ patientId: s.patient.id, outcome: 'failure', subject: `Patient/${s.patient.id}` });
  });

  it('admits through a registered rule (the extension point for shared consult panels)', async () => {
    const s = await createVisitScenario();
    const otherClinic = await createClinic();
    const specialist = await createStaff(otherClinic.id, 'CLINICIAN');
    expect((await refusal(authorizePatientChart(staffOf(specialist), s.patient.id))).code).toBe('FORBIDDEN');
    registerChartAccessRule({
      name: `test-consult-${specialist.id}`,
      admits: async (principal, patient) => principal.id === specialist.id && patient.id === s.patient.id,
    });
    const access = await authorizePatientChart(staffOf(specialist), s.patient.id);
    expect(access.grantedBy).toBe(`test-consult-${specialist.id}`);
    // The rule admits exactly that pair, nobody else.
    const another = await createStaff(otherClinic.id, 'CLINICIAN');
    expect((await refusal(authorizePatientChart(staffOf(another), s.patient.id))).code).toBe('FORBIDDEN');
  });

  it('refuses guests and administrators of the clinic by the rule itself, whatever an extra rule admits', async () => {
    const s = await createVisitScenario();
    const invite = await db.consultInvite.create({
      data: {
        clinicId: s.clinic.id,
        appointmentId: s.appointment.id,
        role: 'FAMILY',
        displayName: 'Family member',
        codeHash: 'x'.repeat(64),
        tokenHash: `test-${s.appointment.id}`,
        invitedById: s.doctor.id,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    const guest: Principal = {
      kind: 'guest',
      id: invite.id,
      name: 'Family member',
      clinicId: s.clinic.id,
      appointmentId: s.appointment.id,
      guestRole: 'FAMILY',
    };
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    // A rule that would let both in (as a careless future rule might): the chart rule still refuses them.
    registerChartAccessRule({
      name: `test-too-wide-${s.patient.id}`,
      admits: async (principal, patient) => (principal.id === invite.id || principal.id === admin.id) && patient.id === s.patient.id,
    });
    for (const principal of [guest, staffOf(admin)]) {
      const error = await refusal(authorizePatientChart(principal, s.patient.id));
      expect(error).toMatchObject({ code: 'FORBIDDEN', reason: 'chartForbidden' });
    }
    expect(await db.auditEvent.count({ where: { actor: { in: [`guest:${invite.id}`, `staff:${admin.id}`] }, action: 'chart.read', outcome: 'failure' } })).toBe(
      2,
    );
    // The care team of the clinic still sees it.
    expect((await authorizePatientChart(staffOf(s.doctor), s.patient.id)).grantedBy).toBe('clinic');
  });

  it("writes an audit event for each chart read, inside the caller's transaction", async () => {
    const s = await createVisitScenario();
    const access = await authorizePatientChart(staffOf(s.doctor), s.patient.id);
    await db.$transaction((tx) =>
      auditChartRead(tx, { principal: staffOf(s.doctor), patientId: access.patientId, what: 'vitals', fhirPatientId: 'fhir-x', grantedBy: access.grantedBy }),
    );
    await db
      .$transaction(async (tx) => {
        await auditChartRead(tx, { principal: staffOf(s.doctor), patientId: s.patient.id, what: 'medications' });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    const events = await db.auditEvent.findMany({ where: { actor: `staff:${s.doctor.id}`, action: 'chart.read', outcome: 'success' } });
    expect(events.map((e) => e.subject)).toEqual(['vitals']);
    expect(events[0]).toMatchObject({ patientId: s.patient.id, clinicId: s.clinic.id, detail: { fhirPatientId: 'fhir-x', grantedBy: 'clinic' } });
  });
});
