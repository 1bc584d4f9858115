import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { DevSmsProvider } from './dev-sms-provider';
import { sendDueMessages } from './outbox-worker';
import { scheduleVisitMessages } from './reminders';

const staff = (user: { id: string; name: string; clinicId: string; role: 'CLINICIAN' | 'NURSE' | 'ADMIN' }): Principal => ({
  kind: 'staff',
  id: user.id,
  name: user.name,
  role: user.role,
  clinicId: user.clinicId,
});

describe('messages.list (real PostgreSQL)', () => {
  it("shows an admin their clinic's messages, newest first, with links cut short, and filters by status", async () => {
    const now = new Date();
    const clinic = await createClinic();
    const admin = await createStaff(clinic.id, 'ADMIN');
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    const patient = await createPatient(clinic.id);
    const appointment = await createAppointment({
      clinicId: clinic.id,
      patientId: patient.id,
      clinicianId: doctor.id,
      startsAt: new Date(now.getTime() + 48 * 3600_000),
    });
    await db.$transaction((tx) => scheduleVisitMessages(tx, appointment, { now }));
    const logged: string[] = [];
    await sendDueMessages(new DevSmsProvider((line) => logged.push(line)), now, { clinicId: clinic.id });
    // The development provider logs the full text, with the working link, on one line.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^\\[sms:dev\\] dev-[0-9a-f-]{36} to \\${patient.phone}: .+/v/[A-Za-z0-9_-]{43} 回复 STOP 退订$`));

    const other = await createClinic();
    const otherPatient = await createPatient(other.id);
    const otherAppointment = await createAppointment({ clinicId: other.id, patientId: otherPatient.id, clinicianId: (await createStaff(other.id)).id });
    await db.$transaction((tx) => scheduleVisitMessages(tx, otherAppointment, { now }));

    const caller = createCaller(createContext(staff(admin)));
    const all = await caller.messages.list({});
    expect(all.timeZone).toBe('Asia/Shanghai');
    expect(all.messages.map((m) => m.kind).sort()).toEqual(['BOOKED', 'REMINDER_15M', 'REMINDER_24H']);
    const sent = all.messages.find((m) => m.kind === 'BOOKED')!;
    expect(sent).toMatchObject({ status: 'SENT', attempts: 1, lastError: null, patientName: `${patient.familyName}${patient.givenName}` });
    expect(sent.bodyPreview).toMatch(/\/v\/[A-Za-z0-9_-]{6}… 回复 STOP 退订$/);
    expect(typeof sent.sentAt).toBe('string');

    const queued = await caller.messages.list({ status: 'QUEUED' });
    expect(queued.messages.map((m) => m.kind).sort()).toEqual(['REMINDER_15M', 'REMINDER_24H']);
    expect(queued.messages.every((m) => m.bodyPreview === null)).toBe(true);
    expect((await caller.messages.list({ status: 'FAILED' })).messages).toEqual([]);
  });

  it('is for admins only', async () => {
    const clinic = await createClinic();
    for (const role of ['CLINICIAN', 'NURSE'] as const) {
      const user = await createStaff(clinic.id, role);
      await expect(createCaller(createContext(staff(user))).messages.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await expect(createCaller(createContext(null)).messages.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const admin = await createStaff(clinic.id, 'ADMIN');
    await expect(createCaller(createContext(staff(admin))).messages.list({ status: 'LOST' as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
