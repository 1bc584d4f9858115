// Load: one clinic with one follow-up queue, its clinicians (OFFLINE) and a deep line of WAITING tasks,
// each with its patient and appointment, in a handful of createMany statements. Seeded: every run
// loads the same data.
import { performance } from 'node:perf_hooks';
import type { Principal } from '@/server/auth/session-types';
import { seededRandom } from '@/server/testing/random';
import type { RoutingApp } from './app';
import type { BenchConfig } from './config';
import { log } from './log';

export type Clinician = { id: string; name: string; skills: string[] };
export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
export type PatientPrincipal = Extract<Principal, { kind: 'patient' }>;

export type LoadedClinic = {
  clinic: { id: string };
  queue: { id: string };
  clinicians: Clinician[];
  /** The signed-in clinician, as the desk's and the routers' calls see them. */
  principalOf(clinician: Clinician): StaffPrincipal;
};

const CHUNK = 2000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export async function loadClinic(app: RoutingApp, config: BenchConfig): Promise<LoadedClinic> {
  const { db } = app;
  const loadStarted = performance.now();
  const rnd = seededRandom(20261124);
  const now = Date.now();
  const clinic = await db.clinic.create({ data: { slug: 'bench', name: 'Bench clinic', timeZone: 'Asia/Shanghai' } });
  // Wrap-up of an hour: only the bench's own setPresence calls make clinicians available.
  const queue = await db.queue.create({
    data: { clinicId: clinic.id, slug: app.FOLLOW_UP_QUEUE_SLUG, name: 'Follow-up', wrapUpSeconds: 3600 },
  });
  const clinicians = Array.from({ length: config.clinicians }, (_, i) => ({
    id: `bench-clinician-${pad(i, 5)}`,
    name: `Dr. Bench ${i}`,
    // Every clinician speaks Chinese; three in ten also English.
    skills: rnd() < 0.3 ? ['lang:zh', 'lang:en'] : ['lang:zh'],
  }));
  await db.user.createMany({
    data: clinicians.map((c) => ({
      id: c.id,
      email: `${c.id}@bench.revisit.local`,
      name: c.name,
      role: 'CLINICIAN' as const,
      clinicId: clinic.id,
      passwordHash: 'not-a-password',
    })),
  });
  await db.clinicianPresence.createMany({
    data: clinicians.map((c, i) => ({
      userId: c.id,
      clinicId: clinic.id,
      state: 'OFFLINE' as const,
      skills: c.skills,
      idleSince: new Date(now - 3_600_000 + i * 1000),
    })),
  });

  const visits = Array.from({ length: config.tasks }, (_, i) => {
    const own = clinicians[Math.floor(rnd() * config.clinicians)]!;
    // Mostly waiting for up to an hour; one in twenty arrived in the last 90 s and is still held for
    // their own doctor (preferredClinicianSeconds = 120).
    const waited = rnd() < 0.05 ? rnd() * 90_000 : 120_000 + rnd() * 3_480_000;
    const p = rnd();
    return {
      n: pad(i, 6),
      clinicianId: own.id,
      enqueuedAt: new Date(now - waited),
      priority: p < 0.01 ? 2 : p < 0.1 ? 1 : 0,
      requiredSkills: rnd() < 0.1 ? ['lang:en'] : ['lang:zh'],
    };
  });
  for (let i = 0; i < config.tasks; i += CHUNK) {
    const chunk = visits.slice(i, i + CHUNK);
    await db.patient.createMany({
      data: chunk.map((v) => ({
        id: `bench-patient-${v.n}`,
        clinicId: clinic.id,
        familyName: '测',
        givenName: `试${v.n}`,
        birthDate: new Date('1958-06-01T00:00:00Z'),
        phone: `+86139${pad(Number(v.n), 8)}`,
      })),
    });
    await db.appointment.createMany({
      data: chunk.map((v) => ({
        id: `bench-appointment-${v.n}`,
        clinicId: clinic.id,
        patientId: `bench-patient-${v.n}`,
        clinicianId: v.clinicianId,
        startsAt: v.enqueuedAt,
        status: 'CHECKED_IN' as const,
        reason: 'Blood pressure follow-up',
      })),
    });
    await db.task.createMany({
      data: chunk.map((v) => ({
        id: `bench-task-${v.n}`,
        clinicId: clinic.id,
        queueId: queue.id,
        channel: 'WEB' as const,
        patientId: `bench-patient-${v.n}`,
        appointmentId: `bench-appointment-${v.n}`,
        preferredClinicianId: v.clinicianId,
        priority: v.priority,
        requiredSkills: v.requiredSkills,
        attributes: { reason: 'Blood pressure follow-up', language: 'zh_CN' },
        enqueuedAt: v.enqueuedAt,
        createdAt: v.enqueuedAt,
        // Patients' heartbeats are not simulated: seen an hour ahead, so the sweeper abandons no one.
        lastSeenAt: new Date(now + 3_600_000),
      })),
    });
  }
  await db.$executeRawUnsafe('ANALYZE');
  log(
    `loaded 1 clinic, ${config.clinicians} clinicians (OFFLINE), ${config.tasks} waiting tasks with patients and appointments ` +
      `in ${Math.round(performance.now() - loadStarted)} ms`,
  );
  return {
    clinic,
    queue,
    clinicians,
    principalOf: (c) => ({ kind: 'staff', id: c.id, name: c.name, role: 'CLINICIAN', clinicId: clinic.id }),
  };
}

/** A waiting patient signed in on their visit, as the waiting room's calls see them. */
export function waitingPatientOf(task: { patientId: string | null; appointmentId: string | null }, clinicId: string): PatientPrincipal {
  return { kind: 'patient', id: task.patientId!, name: 'Bench patient', clinicId, appointmentId: task.appointmentId! };
}
