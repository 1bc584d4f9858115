// One factory module for integration tests and e2e fixtures: every call makes its own isolated data.
import { randomBytes } from 'node:crypto';
import { db } from '@/server/db';
import { hashPassword } from '@/server/auth/password';
import { issueVisitLink } from '@/server/access-links/access-link-service';
import type { StaffRole } from '@/server/auth/session-types';
import type { Prisma } from '@/server/db/generated/client';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';

const unique = () => randomBytes(4).toString('hex');

/** A clinic with its follow-up queue (`clinic.followUpQueueId`). */
export async function createClinic(overrides: { timeZone?: string; queue?: Partial<Prisma.QueueCreateWithoutClinicInput> } = {}) {
  const id = unique();
  const clinic = await db.clinic.create({
    data: {
      slug: `clinic-${id}`,
      name: `测试诊所 Test Clinic ${id}`,
      timeZone: overrides.timeZone ?? 'Asia/Shanghai',
      queues: { create: { slug: FOLLOW_UP_QUEUE_SLUG, name: '复诊 Follow-up', ...overrides.queue } },
    },
    include: { queues: true },
  });
  return { ...clinic, followUpQueueId: clinic.queues[0]!.id };
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
      phone: `+86139${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}`,
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
export async function createVisitScenario(
  options: { linkExpiresAt?: Date; maxUses?: number; queue?: Partial<Prisma.QueueCreateWithoutClinicInput> } = {},
) {
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
