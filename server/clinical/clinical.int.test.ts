// Clinical data against the embedded FHIR server over HTTP and real PostgreSQL, through the tRPC router.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { createFhirGateway } from '@/server/fhir/gateway';
import { addVisit, createClinic, createStaff, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { saveWrapUp } from '@/server/visit/wrap-up-service';
import { deliverDueWrites } from './fhir-outbox';
import { createChartFixture, linkChart } from './testing/chart-fixture';
import { submitVitals } from './vitals-service';

const gateway = createFhirGateway({ baseUrl: process.env.FHIR_BASE_URL as string, timeoutMs: 8000 });
// Nothing listens on port 9 of the loopback: a FHIR server that is down.
const downGateway = createFhirGateway({ baseUrl: 'http://127.0.0.1:9/fhir', timeoutMs: 2000, attempts: 1 });

type Scenario = Awaited<ReturnType<typeof createVisitScenario>>;
const staff = (user: { id: string; name: string; clinicId: string; role: string }): Principal => ({
  kind: 'staff',
  id: user.id,
  name: user.name,
  role: user.role as 'CLINICIAN',
  clinicId: user.clinicId,
});
const caller = (principal: Principal) => createCaller(createContext(principal));

/** Takes the test stack's FHIR server down or brings it back (scripts/lib/fhir-control.mjs). */
async function fhirServer(action: 'stop' | 'start') {
  const response = await fetch(`${process.env.FHIR_CONTROL_URL}/${action}`, { method: 'POST' });
  expect(response.ok, `FHIR ${action}`).toBe(true);
}

async function chartOf(principal: Principal, appointmentId: string) {
  const { chart } = await caller(principal).clinical.chart({ appointmentId });
  if (!chart) throw new Error('expected a chart');
  return chart;
}

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: { code?: string }) => e,
  );
  expect(error, 'the call should have been refused').not.toBeNull();
  return error!.code as string;
}

async function scenarioWithChart(days = 60): Promise<Scenario & { fhirPatientId: string }> {
  const s = await createVisitScenario();
  const { fhirPatientId } = await createChartFixture(gateway, { days });
  await linkChart(s.patient.id, fhirPatientId);
  return { ...s, fhirPatientId };
}

async function observationsWithIdentifier(fhirPatientId: string) {
  const { resources } = await gateway.search<fhir4.Observation>('Observation', { patient: `Patient/${fhirPatientId}`, _count: 1000 });
  return resources.filter((o) => o.identifier?.some((i) => i.system === 'urn:revisit:fhir-write'));
}

describe('EHR panel (clinical.chart)', () => {
  let s: Scenario & { fhirPatientId: string };
  beforeAll(async () => {
    s = await scenarioWithChart(90);
  });

  it('gives the clinician demographics, problems, medications, allergies, latest vitals with flags and trends', async () => {
    const chart = await chartOf(staff(s.doctor), s.appointment.id);
    expect(chart.patient).toMatchObject({ name: '李建国', gender: 'male', birthDate: '1954-03-14' });
    expect(chart.problems.map((p) => p.text)).toEqual(['2型糖尿病 Type 2 diabetes mellitus', '原发性高血压 Essential hypertension']);
    expect(chart.medications.map((m) => m.name).sort()).toEqual(['二甲双胍 Metformin 500 mg', '苯磺酸氨氯地平片 Amlodipine 5 mg tablet']);
    expect(chart.allergies[0]).toMatchObject({ substance: '青霉素 Penicillin', reaction: '皮疹 Rash' });
    const bp = chart.series.find((series) => series.kind === 'bloodPressure')!;
    expect(bp.times).toHaveLength(90);
    expect(bp.lines.map((l) => l.key)).toEqual(['systolic', 'diastolic']);
    expect(chart.series.find((series) => series.kind === 'bodyWeight')!.lines[0]!.normal).not.toBeNull();
    expect(chart.latestVitals.map((v) => v.kind)).toEqual(expect.arrayContaining(['bloodPressure', 'heartRate', 'bloodGlucose', 'bodyWeight']));
    expect(chart.timeZone).toBe('Asia/Shanghai');
    const audit = await db.auditEvent.findFirst({
      where: { actor: `staff:${s.doctor.id}`, action: 'chart.read', patientId: s.patient.id },
      orderBy: { occurredAt: 'desc' },
    });
    expect(audit?.subject).toBe(`ehr-panel Appointment/${s.appointment.id}`);
  });

  it('lets a nurse of the clinic see it, and refuses patients and staff of other clinics', async () => {
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    await expect(caller(staff(nurse)).clinical.chart({ appointmentId: s.appointment.id })).resolves.toBeTruthy();
    expect(await refusedWith(caller(patientPrincipal(s)).clinical.chart({ appointmentId: s.appointment.id }))).toBe('FORBIDDEN');
    const otherClinic = await createClinic();
    const stranger = await createStaff(otherClinic.id, 'CLINICIAN');
    expect(await refusedWith(caller(staff(stranger)).clinical.chart({ appointmentId: s.appointment.id }))).toBe('FORBIDDEN');
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    expect(await refusedWith(caller(staff(admin)).clinical.chart({ appointmentId: s.appointment.id }))).toBe('FORBIDDEN');
  });

  it('says clearly when the patient has no chart', async () => {
    const bare = await createVisitScenario();
    expect(await caller(staff(bare.doctor)).clinical.chart({ appointmentId: bare.appointment.id })).toEqual({ chart: null });
    const error = await caller(patientPrincipal(bare))
      .clinical.submitVitals({ appointmentId: bare.appointment.id, clientReadingId: randomUUID(), reading: { heartRate: 70 } })
      .catch((e) => e);
    expect(error.code).toBe('CONFLICT');
    expect(error.cause.reason).toBe('noChart');
  });
});

describe('home vitals', () => {
  it("stores the patient's reading as Observations with the patient as subject and performer, once per reading id", async () => {
    const s = await scenarioWithChart(5);
    const clientReadingId = randomUUID();
    const input = { appointmentId: s.appointment.id, clientReadingId, reading: { systolic: 171, diastolic: 99, heartRate: 88, bloodGlucose: 9.4 } };
    const result = await caller(patientPrincipal(s)).clinical.submitVitals(input);
    expect(result).toEqual({ status: 'stored', observations: 3 });
    // The same reading sent again (a retry after a lost answer) stores nothing new.
    await caller(patientPrincipal(s)).clinical.submitVitals(input);
    const stored = await observationsWithIdentifier(s.fhirPatientId);
    expect(stored).toHaveLength(3);
    for (const observation of stored) {
      expect(observation.subject?.reference).toBe(`Patient/${s.fhirPatientId}`);
      expect(observation.performer?.[0]?.reference).toBe(`Patient/${s.fhirPatientId}`);
    }
    const chart = await chartOf(staff(s.doctor), s.appointment.id);
    const bp = chart.latestVitals.find((v) => v.kind === 'bloodPressure')!;
    expect(bp.values.map((v) => v.value)).toEqual([171, 99]);
    expect(bp.abnormal).toBe(true);
  });

  it('refuses values outside physiological limits and writes nothing', async () => {
    const s = await scenarioWithChart(1);
    const before = await db.fhirWrite.count({ where: { patientId: s.patient.id } });
    const error = await caller(patientPrincipal(s))
      .clinical.submitVitals({ appointmentId: s.appointment.id, clientReadingId: randomUUID(), reading: { systolic: 400, diastolic: 80 } })
      .catch((e) => e);
    expect(error.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(error.cause?.issues ?? error.message)).toContain('between 50 and 260');
    expect(await db.fhirWrite.count({ where: { patientId: s.patient.id } })).toBe(before);
  });

  it('lets a nurse enter vitals for the patient of the consult, as performer', async () => {
    const s = await scenarioWithChart(1);
    const nurse = await createStaff(s.clinic.id, 'NURSE');
    await caller(staff(nurse)).clinical.submitVitals({ appointmentId: s.appointment.id, clientReadingId: randomUUID(), reading: { oxygenSaturation: 93 } });
    const [stored] = await observationsWithIdentifier(s.fhirPatientId);
    expect(stored!.performer![0]).toMatchObject({ display: nurse.name, identifier: { value: nurse.id } });
  });

  it('keeps the reading in PostgreSQL while FHIR is down and stores it exactly once when it is back', async () => {
    const s = await scenarioWithChart(1);
    const result = await submitVitals(() => downGateway, patientPrincipal(s), {
      appointmentId: s.appointment.id,
      clientReadingId: randomUUID(),
      reading: { systolic: 150, diastolic: 92, bodyWeight: 71.2 },
    });
    expect(result.status).toBe('queued');
    const queued = await db.fhirWrite.findFirstOrThrow({ where: { patientId: s.patient.id }, orderBy: { createdAt: 'desc' } });
    expect(queued).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(queued.lastError).toMatch(/cannot be reached|did not answer/);
    expect(await observationsWithIdentifier(s.fhirPatientId)).toHaveLength(0);

    // Still down: another round keeps it.
    await deliverDueWrites(downGateway, () => new Date(Date.now() + 5_000));
    expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe('PENDING');

    // Back: stored. A worker whose lease ran out mid-delivery and a second worker both deliver: still once.
    await db.fhirWrite.update({ where: { id: queued.id }, data: { nextAttemptAt: new Date(0) } });
    await deliverDueWrites(gateway, () => new Date(Date.now() + 5_000));
    expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe('STORED');
    await db.fhirWrite.update({ where: { id: queued.id }, data: { status: 'STORING', lockedUntil: new Date(0) } });
    await deliverDueWrites(gateway);
    expect(await observationsWithIdentifier(s.fhirPatientId)).toHaveLength(2);
  });

  it('lets two workers race for the same queued writes without storing anything twice', async () => {
    const s = await scenarioWithChart(1);
    for (let i = 0; i < 6; i++) {
      await submitVitals(() => downGateway, patientPrincipal(s), {
        appointmentId: s.appointment.id,
        clientReadingId: randomUUID(),
        reading: { heartRate: 60 + i },
      });
    }
    await db.fhirWrite.updateMany({ where: { patientId: s.patient.id }, data: { nextAttemptAt: new Date(0) } });
    const [a, b] = await Promise.all([deliverDueWrites(gateway), deliverDueWrites(gateway)]);
    const mine = await db.fhirWrite.findMany({ where: { patientId: s.patient.id } });
    expect(mine.every((w) => w.status === 'STORED')).toBe(true);
    expect(a.stored + b.stored).toBeGreaterThanOrEqual(6);
    expect(await observationsWithIdentifier(s.fhirPatientId)).toHaveLength(6);
  });

  it("refuses vitals for another patient's visit and for another clinic's", async () => {
    const s = await scenarioWithChart(1);
    const neighbour = await addVisit(s.clinic.id, s.doctor.id);
    const reading = { heartRate: 70 };
    expect(
      await refusedWith(caller(patientPrincipal(s)).clinical.submitVitals({ appointmentId: neighbour.appointment.id, clientReadingId: randomUUID(), reading })),
    ).toBe('FORBIDDEN');
    const other = await createClinic();
    const stranger = await createStaff(other.id, 'NURSE');
    expect(await refusedWith(caller(staff(stranger)).clinical.submitVitals({ appointmentId: s.appointment.id, clientReadingId: randomUUID(), reading }))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('shared panels', () => {
  let s: Scenario & { fhirPatientId: string };
  beforeAll(async () => {
    s = await scenarioWithChart(30);
  });

  it('shows the patient exactly the shared panel, only while it is shared', async () => {
    const patient = caller(patientPrincipal(s));
    expect(await patient.clinical.currentShare({ appointmentId: s.appointment.id })).toBeNull();
    // Before anything is shared, the patient cannot use a guessed share id to read the chart.
    expect(await refusedWith(patient.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: randomUUID() }))).toBe('FORBIDDEN');

    const share = await caller(staff(s.doctor)).clinical.share({ appointmentId: s.appointment.id, kind: 'vitalsChart', vital: 'bloodPressure' });
    // A late joiner finds out what is shared now.
    expect(await patient.clinical.currentShare({ appointmentId: s.appointment.id })).toMatchObject({
      shareId: share.shareId,
      kind: 'vitalsChart',
      vital: 'bloodPressure',
    });
    const view = await patient.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId });
    expect(view.kind).toBe('vitalsChart');
    if (view.kind !== 'vitalsChart') throw new Error('unreachable');
    expect(view.trend.series.kind).toBe('bloodPressure');
    expect(view.trend.series.times).toHaveLength(30);
    // Only that chart: no other vitals, no problems, no medications.
    expect(Object.keys(view)).toEqual(['shareId', 'kind', 'trend']);
    const doctorView = await caller(staff(s.doctor)).clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId });
    expect(doctorView).toEqual(view);

    // A new share replaces the old one: the old id no longer opens anything.
    const meds = await caller(staff(s.doctor)).clinical.share({ appointmentId: s.appointment.id, kind: 'medications' });
    expect(await refusedWith(patient.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId }))).toBe('FORBIDDEN');
    const medsView = await patient.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: meds.shareId });
    expect(medsView.kind === 'medications' && medsView.medications.length).toBe(2);

    await caller(staff(s.doctor)).clinical.stopSharing({ appointmentId: s.appointment.id });
    expect(await patient.clinical.currentShare({ appointmentId: s.appointment.id })).toBeNull();
    expect(await refusedWith(patient.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: meds.shareId }))).toBe('FORBIDDEN');
  });

  it('serves a care-plan note to participants and nobody else', async () => {
    const share = await caller(staff(s.doctor)).clinical.share({
      appointmentId: s.appointment.id,
      kind: 'carePlan',
      note: '每天早上测量血压 Measure your blood pressure every morning',
    });
    expect(await caller(patientPrincipal(s)).clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId })).toMatchObject({
      kind: 'carePlan',
      note: '每天早上测量血压 Measure your blood pressure every morning',
    });
    // Another patient of the same doctor, another clinic's clinician, another clinic's patient: all refused.
    const neighbour = await addVisit(s.clinic.id, s.doctor.id);
    expect(await refusedWith(caller(patientPrincipal(neighbour)).clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId }))).toBe(
      'FORBIDDEN',
    );
    expect(await refusedWith(caller(patientPrincipal(neighbour)).clinical.currentShare({ appointmentId: s.appointment.id }))).toBe('FORBIDDEN');
    const other = await createVisitScenario();
    expect(await refusedWith(caller(staff(other.doctor)).clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId }))).toBe('FORBIDDEN');
    expect(await refusedWith(caller(patientPrincipal(other)).clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: share.shareId }))).toBe(
      'FORBIDDEN',
    );
    // Patients cannot share or stop sharing.
    expect(await refusedWith(caller(patientPrincipal(s)).clinical.share({ appointmentId: s.appointment.id, kind: 'medications' }))).toBe('FORBIDDEN');
    expect(await refusedWith(caller(patientPrincipal(s)).clinical.stopSharing({ appointmentId: s.appointment.id }))).toBe('FORBIDDEN');
    // Another clinic's clinician cannot share into this consult.
    expect(await refusedWith(caller(staff(other.doctor)).clinical.share({ appointmentId: s.appointment.id, kind: 'medications' }))).toBe('FORBIDDEN');
  });

  it('ends with the visit', async () => {
    const t = await scenarioWithChart(1);
    const share = await caller(staff(t.doctor)).clinical.share({ appointmentId: t.appointment.id, kind: 'medications' });
    await db.appointment.update({ where: { id: t.appointment.id }, data: { status: 'COMPLETED' } });
    expect(await refusedWith(caller(patientPrincipal(t)).clinical.sharedPanel({ appointmentId: t.appointment.id, shareId: share.shareId }))).toBe('CONFLICT');
  });
});

describe('wrap-up to FHIR', () => {
  it("writes the Encounter and the note, which the next visit's panel shows as the last visit", async () => {
    const s = await scenarioWithChart(1);
    await db.task.create({
      data: {
        clinicId: s.clinic.id,
        queueId: s.clinic.followUpQueueId,
        channel: 'WEB',
        appointmentId: s.appointment.id,
        patientId: s.patient.id,
        state: 'COMPLETED',
        assignedAt: new Date(Date.now() - 12 * 60_000),
        completedAt: new Date(Date.now() - 60_000),
      },
    });
    await db.appointment.update({ where: { id: s.appointment.id }, data: { status: 'COMPLETED' } });
    const input = {
      appointmentId: s.appointment.id,
      freeText: '头晕已缓解。',
      assessment: '血压控制尚可',
      plan: '继续服用氨氯地平 5 mg',
      nextFollowUpDays: 28,
      bookNext: true,
    };
    const saved = await saveWrapUp(staff(s.doctor), input);
    expect(saved.nextAppointmentId).toBeTruthy();
    // Saved again (an edit): replaced, not duplicated.
    await saveWrapUp(staff(s.doctor), { ...input, plan: '继续服用氨氯地平 5 mg，每天测血压' });

    const encounters = await gateway.search<fhir4.Encounter>('Encounter', { patient: `Patient/${s.fhirPatientId}` });
    expect(encounters.resources).toHaveLength(1);
    expect(encounters.resources[0]).toMatchObject({ status: 'finished', reasonCode: [{ text: 'Blood pressure follow-up' }] });
    expect(encounters.resources[0]!.participant![0]!.individual!.display).toBe(s.doctor.name);
    const notes = await gateway.search<fhir4.DocumentReference>('DocumentReference', { patient: `Patient/${s.fhirPatientId}` });
    expect(notes.resources).toHaveLength(1);

    const chart = await chartOf(staff(s.doctor), saved.nextAppointmentId!);
    expect(chart.lastVisit?.reason).toBe('Blood pressure follow-up');
    expect(chart.lastVisit?.notes[0]?.text).toContain('继续服用氨氯地平 5 mg，每天测血压');
  });

  it('stores the newer visit note when an older save waited for FHIR: writes of one record apply in order', async () => {
    const s = await scenarioWithChart(1);
    await db.appointment.update({ where: { id: s.appointment.id }, data: { status: 'COMPLETED' } });
    const input = { appointmentId: s.appointment.id, freeText: '', assessment: 'Stable', plan: 'First plan', nextFollowUpDays: 28, bookNext: false };
    await fhirServer('stop');
    try {
      await saveWrapUp(staff(s.doctor), input);
    } finally {
      await fhirServer('start');
    }
    const [first] = await db.fhirWrite.findMany({ where: { appointmentId: s.appointment.id } });
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1 });
    await saveWrapUp(staff(s.doctor), { ...input, plan: 'Second plan' });
    // The older write's retry comes due after the newer save: delivering everything due must not bring the older text back.
    await deliverDueWrites(gateway, () => new Date(Date.now() + 120_000));

    const writes = await db.fhirWrite.findMany({ where: { appointmentId: s.appointment.id }, orderBy: { createdAt: 'asc' } });
    expect(writes.map((w) => w.status)).toEqual(['SUPERSEDED', 'STORED']);
    const notes = await gateway.search<fhir4.DocumentReference>('DocumentReference', { patient: `Patient/${s.fhirPatientId}` });
    expect(notes.resources).toHaveLength(1);
    const text = Buffer.from(notes.resources[0]!.content[0]!.attachment.data ?? '', 'base64').toString('utf8');
    expect(text).toContain('Second plan');
    expect(text).not.toContain('First plan');
  }, 60_000);

  it('never stores an older visit note over a newer one saved while the older one was being stored', async () => {
    const s = await scenarioWithChart(1);
    await db.appointment.update({ where: { id: s.appointment.id }, data: { status: 'COMPLETED' } });
    const { queueVisitRecord } = await import('./visit-record-service');
    const appointment = await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } });
    const queue = (plan: string) =>
      db.$transaction((tx) => queueVisitRecord(tx, { appointment, authorActor: `staff:${s.doctor.id}`, note: { freeText: '', assessment: 'ok', plan } }));
    // A FHIR server that accepts connections and never answers: the older write is in flight until its timeout.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const hanging = createFhirGateway({ baseUrl: `http://127.0.0.1:${port}/fhir`, timeoutMs: 1500, attempts: 1 });
      const olderId = await queue('Older plan');
      const inFlight = deliverDueWrites(hanging);
      await expect.poll(async () => (await db.fhirWrite.findUniqueOrThrow({ where: { id: olderId! } })).status).toBe('STORING');
      const newerId = await queue('Newer plan');
      // While the older one is being stored the newer one waits its turn.
      expect((await deliverDueWrites(gateway)).claimed).toBe(0);
      // The older attempt fails: the newer version replaces it, so it is dropped rather than retried.
      expect(await inFlight).toMatchObject({ claimed: 1, superseded: 1 });
      expect((await deliverDueWrites(gateway)).stored).toBe(1);
      expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: olderId! } })).status).toBe('SUPERSEDED');
      expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: newerId! } })).status).toBe('STORED');
    } finally {
      silent.close();
    }
    const notes = await gateway.search<fhir4.DocumentReference>('DocumentReference', { patient: `Patient/${s.fhirPatientId}` });
    expect(notes.resources).toHaveLength(1);
    const text = Buffer.from(notes.resources[0]!.content[0]!.attachment.data ?? '', 'base64').toString('utf8');
    expect(text).toContain('Newer plan');
  });

  it('keeps the note queued when FHIR is down (the wrap-up itself succeeds)', async () => {
    const s = await scenarioWithChart(1);
    await db.appointment.update({ where: { id: s.appointment.id }, data: { status: 'COMPLETED' } });
    const { queueVisitRecord } = await import('./visit-record-service');
    const appointment = await db.appointment.findUniqueOrThrow({ where: { id: s.appointment.id } });
    const id = await db.$transaction((tx) =>
      queueVisitRecord(tx, { appointment, authorActor: `staff:${s.doctor.id}`, note: { freeText: '', assessment: 'ok', plan: 'rest' } }),
    );
    await deliverDueWrites(downGateway);
    expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: id! } })).status).toBe('PENDING');
    await db.fhirWrite.update({ where: { id: id! }, data: { nextAttemptAt: new Date(0) } });
    await deliverDueWrites(gateway);
    expect((await db.fhirWrite.findUniqueOrThrow({ where: { id: id! } })).status).toBe('STORED');
    const notes = await gateway.search<fhir4.DocumentReference>('DocumentReference', { patient: `Patient/${s.fhirPatientId}` });
    expect(notes.resources).toHaveLength(1);
  });
});
