// One factory module for integration tests and e2e fixtures: every call makes its own isolated data.
import { randomBytes } from 'node:crypto';
import { db } from '@/server/db';
import { hashPassword } from '@/server/auth/password';
import { issueVisitLink } from '@/server/access-links/access-link-service';
import type { Principal, StaffRole } from '@/server/auth/session-types';
import type { Prisma } from '@/server/db/generated/client';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';
import { SPECIALIST_QUEUE_SLUG, SPECIALIST_SKILL, type SpecialistDepartment } from '@/server/shared/specialist-config';

const unique = () => randomBytes(4).toString('hex');

/** The signed-in principal of a staff member (from createStaff, or a scenario's doctor). */
export function staffPrincipal(user: { id: string; name: string; clinicId: string; role: StaffRole }): Extract<Principal, { kind: 'staff' }> {
  return { kind: 'staff', id: user.id, name: user.name, role: user.role, clinicId: user.clinicId };
}

/** The signed-in principal of a patient on their visit (a scenario, or addVisit's patient and appointment). */
export function patientPrincipal(
  visit: { patient: { id: string; clinicId: string }; appointment: { id: string } },
  name = 'P',
): Extract<Principal, { kind: 'patient' }> {
  return { kind: 'patient', id: visit.patient.id, name, clinicId: visit.patient.clinicId, appointmentId: visit.appointment.id };
}

/** A clinic with its follow-up queue (`clinic.followUpQueueId`) and specialist queue (`clinic.specialistQueueId`). */
export async function createClinic(overrides: { timeZone?: string; queue?: Partial<Prisma.QueueCreateWithoutClinicInput> } = {}) {
  const id = unique();
  const clinic = await db.clinic.create({
    data: {
      slug: `clinic-${id}`,
      name: `测试诊所 Test Clinic ${id}`,
      timeZone: overrides.timeZone ?? 'Asia/Shanghai',
      queues: {
        create: [
          { slug: FOLLOW_UP_QUEUE_SLUG, name: '复诊 Follow-up', ...overrides.queue },
          { slug: SPECIALIST_QUEUE_SLUG, name: '专科会诊 Specialist consults', requiredSkills: [SPECIALIST_SKILL], preferredClinicianSeconds: 0 },
        ],
      },
    },
    include: { queues: true },
  });
  const queueId = (slug: string) => clinic.queues.find((q) => q.slug === slug)!.id;
  return { ...clinic, followUpQueueId: queueId(FOLLOW_UP_QUEUE_SLUG), specialistQueueId: queueId(SPECIALIST_QUEUE_SLUG) };
}

export async function createStaff(clinicId: string, role: StaffRole = 'CLINICIAN', password = 'staff-password-1') {
  const id = unique();
  const user = await db.user.create({
    data: {
      email: `${role.toLowerCase()}-${id}@test.revisit.local`,
      name: `${role === 'CLINICIAN' ? 'Dr.' : role === 'NURSE' ? 'Nurse' : 'Admin'} ${id}`,
      role,
      clinicId,
      passwordHash: await hashPassword(password),
    },
  });
  return { ...user, password };
}

export async function createPatient(clinicId: string, overrides: { birthDate?: string; primaryClinicianId?: string } = {}) {
  return db.patient.create({
    data: {
      clinicId,
      familyName: '测',
      givenName: `试${unique()}`,
      birthDate: new Date(`${overrides.birthDate ?? '1958-06-01'}T00:00:00Z`),
      phone: `+86139${Math.floor(Math.random() * 1e8)
        .toString()
        .padStart(8, '0')}`,
      primaryClinicianId: overrides.primaryClinicianId,
    },
  });
}

export async function createAppointment(input: {
  clinicId: string;
  patientId: string;
  clinicianId: string;
  startsAt?: Date;
  status?: 'SCHEDULED' | 'CANCELLED' | 'COMPLETED';
}) {
  return db.appointment.create({
    data: {
      clinicId: input.clinicId,
      patientId: input.patientId,
      clinicianId: input.clinicianId,
      startsAt: input.startsAt ?? new Date(),
      status: input.status ?? 'SCHEDULED',
      reason: 'Blood pressure follow-up',
    },
  });
}

export async function createVisitLink(appointmentId: string, options: { expiresAt?: Date; maxUses?: number } = {}) {
  return db.$transaction((tx) =>
    issueVisitLink(tx, {
      appointmentId,
      expiresAt: options.expiresAt ?? new Date(Date.now() + 24 * 60 * 60 * 1000),
      maxUses: options.maxUses,
    }),
  );
}

/** A clinic with a doctor, a patient (born 1958-06-01) booked now, and a fresh link for that visit. */
export async function createVisitScenario(options: { linkExpiresAt?: Date; maxUses?: number; queue?: Partial<Prisma.QueueCreateWithoutClinicInput> } = {}) {
  const clinic = await createClinic({ queue: options.queue });
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
  const appointment = await createAppointment({ clinicId: clinic.id, patientId: patient.id, clinicianId: doctor.id });
  const link = await createVisitLink(appointment.id, { expiresAt: options.linkExpiresAt, maxUses: options.maxUses });
  return { clinic, doctor, patient, appointment, link, birthDate: '1958-06-01' };
}

/** Another patient with a visit booked now with the same doctor, and their link. */
export async function addVisit(clinicId: string, clinicianId: string, birthDate = '1961-02-03') {
  const patient = await createPatient(clinicId, { birthDate, primaryClinicianId: clinicianId });
  const appointment = await createAppointment({ clinicId, patientId: patient.id, clinicianId });
  const link = await createVisitLink(appointment.id);
  return { patient, appointment, link, birthDate };
}

/** A clinician who takes specialist requests for `departments` (their presence holds the skills, offline). */
export async function createSpecialist(clinicId: string, departments: SpecialistDepartment[] = ['cardiology']) {
  const specialist = await createStaff(clinicId, 'CLINICIAN');
  await db.clinicianPresence.create({
    data: { userId: specialist.id, clinicId, state: 'OFFLINE', skills: [SPECIALIST_SKILL, ...departments] },
  });
  return specialist;
}
