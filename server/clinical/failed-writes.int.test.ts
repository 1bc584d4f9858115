// Writes the FHIR server refuses for good (400/422): the person who entered a reading and the care team
// see it was not stored and why, the clinic's admins see the clinic's refused writes and retry or dismiss
// them. Real PostgreSQL, the embedded FHIR server over HTTP, the real tRPC caller for every right.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { createFhirGateway } from '@/server/fhir/gateway';
import { addVisit, createClinic, createStaff, createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { deliverDueWrites, deliverNow, enqueueFhirWrite } from './fhir-outbox';
import { createChartFixture, linkChart } from './testing/chart-fixture';
import { submitVitals } from './vitals-service';

const gateway = createFhirGateway({ baseUrl: process.env.FHIR_BASE_URL as string, timeoutMs: 8000 });
const caller = (principal: Principal) => createCaller(createContext(principal));

type Scenario = Awaited<ReturnType<typeof createVisitScenario>> & { fhirPatientId: string };

async function scenarioWithChart(): Promise<Scenario> {
  const s = await createVisitScenario();
  const { fhirPatientId } = await createChartFixture(gateway, { days: 1 });
  await linkChart(s.patient.id, fhirPatientId);
  return { ...s, fhirPatientId };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string | null }> {
  const error = await promise.then(
    () => null,
    (e: { code?: string; cause?: { reason?: string } }) => e,
  );
  expect(error, 'the call should have been refused').not.toBeNull();
  return { code: error!.code as string, reason: error!.cause?.reason ?? null };
}

/**
 * A heart-rate Observation the FHIR server refuses (a performer's name must hold visible text, FHIR's
 * string rule): queued for the patient as a home reading would be, as by the outbox's own entry point.
 */
async function queueRefusedReading(s: Scenario, enteredBy = `patient:${s.patient.id}`) {
  const observation: fhir4.Observation = {
    resourceType: 'Observation',
    identifier: [{ system: 'urn:revisit:fhir-write', value: `${s.patient.id}.${randomUUID()}.heartRate` }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: `Patient/${s.fhirPatientId}` },
    performer: [{ display: '   ' }],
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
  const write = await db.$transaction((tx) =>
    enqueueFhirWrite(tx, {
      clinicId: s.clinic.id,
      patientId: s.patient.id,
      appointmentId: s.appointment.id,
      enteredBy,
      payload: { kind: 'VITALS', observations: [observation] },
    }),
  );
  expect(await deliverNow(gateway, write.id)).toBe('failed');
  return write;
}

describe('a reading the FHIR server refuses', () => {
  it("tells the one who entered it that it was not stored, with a reason and never the FHIR server's own words", async () => {
    const s = await scenarioWithChart();
    // A staff name with a control character (pasted from another system): FHIR refuses the performer.
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    const principal = staffPrincipal({ ...nurse, name: `Nurse\u0001${nurse.id.slice(0, 4)}` });
    const result = await caller(principal).clinical.submitVitals({
      appointmentId: s.appointment.id,
      clientReadingId: randomUUID(),
      reading: { heartRate: 71 },
    });
    // Before: { status: 'queued' } while the write was already FAILED and nothing would ever store it.
    expect(result).toEqual({ status: 'notStored', reason: 'fhirInvalid', observations: 1 });
    const row = await db.fhirWrite.findFirstOrThrow({ where: { patientId: s.patient.id }, orderBy: { createdAt: 'desc' } });
    expect(row).toMatchObject({ status: 'FAILED', failureReason: 'fhirInvalid' });
    // The FHIR server's own text stays in the row (and the log) for whoever fixes the cause.
    expect(row.lastError).toMatch(/string/i);
    expect(JSON.stringify(result)).not.toContain(row.lastError!);
  });

  it('still says "queued" for a reading kept while FHIR is down (only a refusal is "not stored")', async () => {
    const s = await scenarioWithChart();
    const down = createFhirGateway({ baseUrl: 'http://127.0.0.1:9/fhir', timeoutMs: 2000, attempts: 1 });
    const result = await submitVitals(() => down, patientPrincipal(s), {
      appointmentId: s.appointment.id,
      clientReadingId: randomUUID(),
      reading: { heartRate: 64 },
    });
    expect(result.status).toBe('queued');
    expect(await caller(patientPrincipal(s)).unstoredReadings.forConsult({ appointmentId: s.appointment.id })).toMatchObject({ readings: [] });
  });

  it("shows the patient their own refused readings, also those the worker was refused later, and nobody else's", async () => {
    const s = await scenarioWithChart();
    const write = await queueRefusedReading(s);
    const mine = await caller(patientPrincipal(s)).unstoredReadings.forConsult({ appointmentId: s.appointment.id });
    expect(mine.readings).toEqual([expect.objectContaining({ id: write.id, kind: 'VITALS', vitals: ['heartRate'], reason: 'fhirInvalid', dismissed: false })]);
    expect(JSON.stringify(mine)).not.toMatch(/whitespace|lastError/i);
    expect(typeof mine.timeZone).toBe('string');

    // Another patient of the same clinician, on their own visit: sees none of it, and cannot ask for this visit.
    const neighbour = await addVisit(s.clinic.id, s.doctor.id);
    expect((await caller(patientPrincipal(neighbour)).unstoredReadings.forConsult({ appointmentId: neighbour.appointment.id })).readings).toEqual([]);
    expect((await refusal(caller(patientPrincipal(neighbour)).unstoredReadings.forConsult({ appointmentId: s.appointment.id }))).code).toBe('FORBIDDEN');
  });

  it("shows the care team of the consult the refused writes of the consult's patient in the panel", async () => {
    const s = await scenarioWithChart();
    const write = await queueRefusedReading(s);
    const panel = await caller(staffPrincipal(s.doctor)).unstoredReadings.forConsult({ appointmentId: s.appointment.id });
    expect(panel.readings.map((r) => r.id)).toEqual([write.id]);
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    expect((await caller(staffPrincipal(nurse)).unstoredReadings.forConsult({ appointmentId: s.appointment.id })).readings).toHaveLength(1);

    // Not: clinicians of another clinic, nor admins (they manage the queue, they do not see patients' readings here).
    const other = await createClinic();
    const stranger = await createStaff(other.id, 'CLINICIAN');
    expect((await refusal(caller(staffPrincipal(stranger)).unstoredReadings.forConsult({ appointmentId: s.appointment.id }))).code).toBe('FORBIDDEN');
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    expect((await refusal(caller(staffPrincipal(admin)).unstoredReadings.forConsult({ appointmentId: s.appointment.id }))).code).toBe('FORBIDDEN');
  });
});

describe("the clinic's refused FHIR writes, for its admins", () => {
  let s: Scenario;
  let admin: Awaited<ReturnType<typeof createStaff>>;
  beforeAll(async () => {
    s = await scenarioWithChart();
    admin = await createStaff(s.clinic.id, 'ADMIN');
  });

  it("lists kind, patient, when and the reason summarised, never the FHIR server's text", async () => {
    const write = await queueRefusedReading(s);
    const { writes, timeZone } = await caller(staffPrincipal(admin)).failedWrites.list({});
    expect(timeZone).toBe('Asia/Shanghai');
    const row = writes.find((w) => w.id === write.id);
    expect(row).toMatchObject({
      kind: 'VITALS',
      patientName: `${s.patient.familyName}${s.patient.givenName}`,
      reason: 'fhirInvalid',
      vitals: ['heartRate'],
      attempts: 1,
    });
    expect(new Date(row!.createdAt).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(row!.failedAt!).getTime()).toBeGreaterThanOrEqual(new Date(row!.createdAt).getTime());
    expect(JSON.stringify(writes)).not.toMatch(/whitespace|lastError|payload/i);
    // Another clinic's admin sees none of it.
    const other = await createClinic();
    const otherAdmin = await createStaff(other.id, 'ADMIN');
    expect((await caller(staffPrincipal(otherAdmin)).failedWrites.list({})).writes).toEqual([]);
  });

  it('retries one: back to PENDING with attempts reset, audited; the worker then stores or refuses it again', async () => {
    const write = await queueRefusedReading(s);
    await expect(caller(staffPrincipal(admin)).failedWrites.retry({ id: write.id })).resolves.toEqual({ id: write.id, status: 'PENDING' });
    const row = await db.fhirWrite.findUniqueOrThrow({ where: { id: write.id } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 0, failureReason: null, failedAt: null });
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    const audit = await db.auditEvent.findFirst({ where: { action: 'clinical.fhir-write-retried', subject: `FhirWrite/${write.id}` } });
    expect(audit).toMatchObject({ actor: `staff:${admin.id}`, clinicId: s.clinic.id, patientId: s.patient.id });
    expect((await caller(staffPrincipal(admin)).failedWrites.list({})).writes.map((w) => w.id)).not.toContain(write.id);
    // Retried twice: the second finds nothing to retry.
    expect(await refusal(caller(staffPrincipal(admin)).failedWrites.retry({ id: write.id }))).toEqual({ code: 'CONFLICT', reason: 'writeNotFailed' });

    // The payload is still refused: failed again, listed again, with a fresh count.
    await deliverDueWrites(gateway, () => new Date(Date.now() + 1000));
    expect(await db.fhirWrite.findUniqueOrThrow({ where: { id: write.id } })).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect((await caller(staffPrincipal(admin)).failedWrites.list({})).writes.map((w) => w.id)).toContain(write.id);
  });

  it('dismisses one, audited: off the admin list, still shown to the patient as not stored', async () => {
    const write = await queueRefusedReading(s);
    await expect(caller(staffPrincipal(admin)).failedWrites.dismiss({ id: write.id })).resolves.toEqual({ id: write.id, status: 'DISMISSED' });
    const audit = await db.auditEvent.findFirst({ where: { action: 'clinical.fhir-write-dismissed', subject: `FhirWrite/${write.id}` } });
    expect(audit).toMatchObject({ actor: `staff:${admin.id}`, clinicId: s.clinic.id, patientId: s.patient.id });
    expect((await caller(staffPrincipal(admin)).failedWrites.list({})).writes.map((w) => w.id)).not.toContain(write.id);
    expect(await refusal(caller(staffPrincipal(admin)).failedWrites.retry({ id: write.id }))).toEqual({ code: 'CONFLICT', reason: 'writeNotFailed' });
    // Dismissed is not stored: the worker never takes it, and the patient is still told.
    await deliverDueWrites(gateway, () => new Date(Date.now() + 1000));
    expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: write.id } })).status).toBe('DISMISSED');
    const shown = await caller(patientPrincipal(s)).unstoredReadings.forConsult({ appointmentId: s.appointment.id });
    expect(shown.readings.find((r) => r.id === write.id)).toMatchObject({ dismissed: true, reason: 'fhirInvalid' });
  });

  it('lets a retry and a dismiss of the same write race: exactly one wins, the other gets CONFLICT', async () => {
    const write = await queueRefusedReading(s);
    const results = await Promise.allSettled([
      caller(staffPrincipal(admin)).failedWrites.retry({ id: write.id }),
      caller(staffPrincipal(admin)).failedWrites.dismiss({ id: write.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('CONFLICT');
    const audits = await db.auditEvent.count({
      where: { subject: `FhirWrite/${write.id}`, action: { in: ['clinical.fhir-write-retried', 'clinical.fhir-write-dismissed'] } },
    });
    expect(audits).toBe(1);
  });

  it("refuses retry and dismiss to clinicians, nurses, patients and another clinic's admin, and changes nothing", async () => {
    const write = await queueRefusedReading(s);
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    const otherAdmin = await createStaff((await createClinic()).id, 'ADMIN');
    for (const principal of [staffPrincipal(s.doctor), staffPrincipal(nurse), patientPrincipal(s), staffPrincipal(otherAdmin)]) {
      expect((await refusal(caller(principal).failedWrites.retry({ id: write.id }))).code).toBe('FORBIDDEN');
      expect((await refusal(caller(principal).failedWrites.dismiss({ id: write.id }))).code).toBe('FORBIDDEN');
    }
    expect((await refusal(caller(staffPrincipal(s.doctor)).failedWrites.list({}))).code).toBe('FORBIDDEN');
    expect((await refusal(caller(patientPrincipal(s)).failedWrites.list({}))).code).toBe('FORBIDDEN');
    expect(await db.fhirWrite.findUniqueOrThrow({ where: { id: write.id } })).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(await db.auditEvent.count({ where: { subject: `FhirWrite/${write.id}` } })).toBe(0);
    // An id that does not exist, and one that is not an id: refused before anything is read.
    expect((await refusal(caller(staffPrincipal(admin)).failedWrites.retry({ id: 'c0000000000000000000000000' }))).code).toBe('NOT_FOUND');
    expect((await refusal(caller(staffPrincipal(admin)).failedWrites.retry({ id: '' }))).code).toBe('BAD_REQUEST');
  });
});
