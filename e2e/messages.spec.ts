import type { Page } from '@playwright/test';
import { createAppointment, createClinic, createPatient, createStaff } from '@/server/testing/factories';
import { scheduleVisitMessages } from '@/server/notify/reminders';
import { appAlert, db, expect, newDesktopPage, signInAsStaff, test } from './fixtures';
import { containing, en, zh } from './strings';

function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A clinic with an admin and a patient booked in two days: its confirmation is queued for now, its reminders for later. */
async function bookedClinic() {
  const clinic = await createClinic();
  const admin = await createStaff(clinic.id, 'ADMIN');
  const doctor = await createStaff(clinic.id, 'CLINICIAN');
  const patient = await createPatient(clinic.id, { primaryClinicianId: doctor.id });
  const appointment = await createAppointment({
    clinicId: clinic.id,
    patientId: patient.id,
    clinicianId: doctor.id,
    startsAt: new Date(Date.now() + 48 * 3600_000),
  });
  await db.$transaction((tx) => scheduleVisitMessages(tx, appointment));
  return { clinic, admin, doctor, patient, appointment };
}

test('an admin sees the booking confirmation go out and the reminders waiting on the Messages page', async ({ browser }) => {
  const { admin, patient, appointment } = await bookedClinic();
  const page = await newDesktopPage(browser);
  const errors = consoleErrors(page);

  await signInAsStaff(page, admin.email, admin.password);
  await page.getByRole('link', { name: 'Wallboard and queues' }).click();
  await page.getByRole('link', { name: 'Messages' }).click();
  await page.waitForURL('**/admin/messages');
  await expect(page.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();

  const table = page.getByRole('table', { name: 'Messages' });
  const patientName = `${patient.familyName}${patient.givenName}`;
  // The web server's worker (dev provider) sends the confirmation within a few seconds; the page follows.
  const confirmation = table.getByRole('row', { name: /Booking confirmation/ });
  await expect(confirmation).toContainText('Sent');
  await expect(confirmation).toContainText(patientName);
  const preview = await confirmation.getByRole('cell').last().textContent();
  const sent = await db.message.findFirstOrThrow({ where: { appointmentId: appointment.id, kind: 'BOOKED' } });
  // The page shows the stored preview, whose link is cut to its first characters.
  expect(preview).toBe(sent.bodyPreview);
  expect(preview).toMatch(/\/v\/[A-Za-z0-9_-]{6}… \S/);
  expect(sent).toMatchObject({ status: 'SENT', provider: 'dev', attempts: 1 });
  expect(sent.providerMessageId).toMatch(/^dev-/);

  for (const kind of ['Reminder (24 h)', 'Reminder (15 min)']) {
    const row = table.getByRole('row', { name: new RegExp(kind.replace(/[()]/g, '\\$&')) });
    await expect(row).toContainText('Queued');
    await expect(row).toContainText('Written when it is sent');
  }

  const filter = page.getByLabel('Status');
  await filter.selectOption({ label: 'Queued' });
  await expect(table.getByRole('row')).toHaveCount(3); // the header and the two reminders
  await expect(table.getByRole('row', { name: containing(en.messages.kinds.BOOKED) })).toHaveCount(0);
  await filter.selectOption({ label: 'Failed' });
  await expect(page.getByText('No messages with this status.')).toBeVisible();
  await filter.selectOption({ label: 'All' });
  await expect(table.getByRole('row')).toHaveCount(4);
  expect(errors).toEqual([]);
});

test('the Messages page speaks Chinese to a Chinese browser and is for admins only', async ({ browser }) => {
  const { admin, doctor } = await bookedClinic();
  const chinese = await newDesktopPage(browser, 'zh-CN');
  await signInAsStaff(chinese, admin.email, admin.password);
  await chinese.goto('/admin/messages');
  await expect(chinese.getByRole('heading', { level: 1, name: zh.messages.title })).toBeVisible();
  await expect(chinese.getByRole('row', { name: containing(zh.messages.kinds.BOOKED) })).toContainText(
    containing(zh.messages.statuses.SENT, zh.messages.statuses.QUEUED, zh.messages.statuses.SENDING),
  );
  await expect(chinese.getByRole('row', { name: containing(zh.messages.kinds.REMINDER_24H) })).toContainText(zh.messages.statuses.QUEUED);

  const clinician = await newDesktopPage(browser);
  await signInAsStaff(clinician, doctor.email, doctor.password);
  await clinician.goto('/admin/messages');
  await expect(appAlert(clinician)).toHaveText('You do not have access to this page.');
  await expect(clinician.getByRole('table')).toHaveCount(0);
});
