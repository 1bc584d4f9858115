import { createPatient, createStaff } from '@/server/testing/factories';
import { addDays, isWorkingDay } from '@/server/shared/calendar';
import { localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { appAlert, db, enterBirthDate, expect, newDesktopPage, newPhonePage, signInAsStaff, test, watchConsoleErrors } from './fixtures';

/** The first clinic working day at least `daysAhead` days after today in the clinic. */
function workingDate(timeZone: string, daysAhead: number): string {
  let date = addDays(localDate(new Date(), timeZone), daysAhead);
  while (!isWorkingDay(date)) date = addDays(date, 1);
  return date;
}

test('a clinician books a follow-up in the week view, moves it and cancels it; the patient is told each time', async ({ browser, scenario }) => {
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'clinician');
  const tz = scenario.clinic.timeZone;
  const name = `${scenario.patient.familyName}${scenario.patient.givenName}`;
  const date = workingDate(tz, 2);

  await signInAsStaff(page, scenario.doctor.email, scenario.doctor.password);
  await page.getByRole('link', { name: 'Schedule' }).click();
  await page.waitForURL('**/schedule**');
  await expect(page.getByRole('heading', { level: 1, name: /^Schedule · / })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Week', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Clinician')).toHaveValue(scenario.doctor.id);

  await page.getByRole('button', { name: 'New appointment' }).click();
  const form = page.getByRole('form', { name: 'Book a follow-up' });
  const patient = form.getByLabel('Patient', { exact: true });

  // Nothing chosen: the field says what is missing, and nothing is booked.
  await form.getByRole('button', { name: 'Book appointment' }).click();
  await expect(appAlert(page)).toHaveText('Some fields are not valid. Check the marked fields.');
  await expect(patient).toHaveAttribute('aria-invalid', 'true');
  await expect(patient).toHaveAccessibleDescription('Choose a patient.');
  await expect(patient).toBeFocused();

  await form.getByLabel('Find a patient').fill(scenario.patient.givenName);
  await expect(patient.locator(`option[value="${scenario.patient.id}"]`)).toHaveCount(1);
  await patient.selectOption(scenario.patient.id);
  await form.getByLabel('Date').fill(date);
  await form.getByLabel('Time').fill('10:00');
  await form.getByLabel('Length (minutes)').fill('30');
  await form.getByLabel('Reason').fill('Blood pressure review');
  await form.getByRole('button', { name: 'Book appointment' }).click();

  await expect(page.getByRole('status').filter({ hasText: `Booked: ${name}` })).toBeVisible();
  await expect(form).toHaveCount(0);
  // The scenario's own visit today has the same patient: this one is told apart by its reason.
  const item = page.getByRole('listitem').filter({ hasText: name }).filter({ hasText: 'Blood pressure review' });
  await expect(item).toContainText('10:00–10:30');
  await expect(item).toContainText('Blood pressure review');
  await expect(item).toContainText('Scheduled');
  // The web app's outbox may already have sent them: any message not skipped counts.
  const booked = await db.appointment.findFirstOrThrow({ where: { patientId: scenario.patient.id, reason: 'Blood pressure review' } });
  expect(booked.startsAt.toISOString()).toBe(zonedTimeToUtc(date, '10:00', tz).toISOString());
  expect(await db.message.count({ where: { appointmentId: booked.id, kind: 'BOOKED', status: { not: 'SKIPPED' } } })).toBe(1);

  // Move it: the dialog asks for the new time and confirms.
  await item.getByRole('button', { name: `Reschedule ${name}, 10:00–10:30` }).click();
  const move = page.getByRole('dialog', { name: 'Move this appointment' });
  await expect(move.getByLabel('Date')).toHaveValue(date);
  await expect(move.getByLabel('Time')).toHaveValue('10:00');
  await move.getByLabel('Time').fill('11:15');
  await move.getByRole('button', { name: 'Move appointment' }).click();
  await expect(move).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Moved: ${name}` })).toBeVisible();
  await expect(item).toContainText('11:15–11:45');
  await expect(item.getByRole('button', { name: `Reschedule ${name}, 11:15–11:45` })).toBeFocused();
  await expect
    .poll(async () => (await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).startsAt.toISOString())
    .toBe(zonedTimeToUtc(date, '11:15', tz).toISOString());
  expect(await db.message.count({ where: { appointmentId: booked.id, kind: 'RESCHEDULED', status: { not: 'SKIPPED' } } })).toBe(1);

  // Cancel it: a confirmation first; Escape keeps it.
  await item.getByRole('button', { name: `Cancel ${name}, 11:15–11:45` }).click();
  const cancel = page.getByRole('dialog', { name: 'Cancel this appointment?' });
  await expect(cancel.getByRole('button', { name: 'Keep appointment' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(cancel).toHaveCount(0);
  expect((await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).status).toBe('SCHEDULED');

  await item.getByRole('button', { name: `Cancel ${name}, 11:15–11:45` }).click();
  await cancel.getByLabel('Reason for cancelling (optional)').fill('Admitted to hospital');
  await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(cancel).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Cancelled: ${name}` })).toBeVisible();
  await expect(item).toContainText('Cancelled');
  await expect(item.getByRole('button')).toHaveCount(0);
  expect((await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).status).toBe('CANCELLED');
  expect(await db.message.count({ where: { appointmentId: booked.id, kind: 'CANCELLED', status: { not: 'SKIPPED' } } })).toBe(1);

  // The only error logged is the browser's own line for the refused first attempt.
  expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/trpc\/schedule\.create/)]);
});

test('the day view shows a colleague’s day through the clinician picker', async ({ browser, scenario }) => {
  const tz = scenario.clinic.timeZone;
  const date = workingDate(tz, 3);
  const colleague = await createStaff(scenario.clinic.id, 'CLINICIAN');
  const other = await createPatient(scenario.clinic.id);
  await db.appointment.create({
    data: {
      clinicId: scenario.clinic.id,
      patientId: other.id,
      clinicianId: colleague.id,
      startsAt: zonedTimeToUtc(date, '15:00', tz),
      durationMinutes: 20,
      reason: 'Diabetes review',
    },
  });
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'clinician');
  await signInAsStaff(page, scenario.doctor.email, scenario.doctor.password);
  await page.goto(`/schedule?view=day&date=${date}`);
  await expect(page.getByRole('button', { name: 'Day', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('region')).toHaveCount(1);
  await expect(page.getByRole('region')).toContainText('No appointments.');

  await page.getByLabel('Clinician').selectOption(colleague.id);
  const item = page.getByRole('listitem').filter({ hasText: 'Diabetes review' });
  await expect(item).toContainText('15:00–15:20');
  await expect(item).toContainText(`${other.familyName}${other.givenName}`);

  await page.getByRole('button', { name: 'Previous day' }).click();
  await expect(item).toHaveCount(0);
  await page.getByRole('button', { name: 'Today', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Today', exact: true })).toBeDisabled();
  expect(errors).toEqual([]);
});

test('a patient with a link picks a new time on their phone', async ({ browser, scenario }) => {
  const phone = await newPhonePage(browser, 'en-US');
  await phone.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(phone, scenario.birthDate);
  await phone.waitForURL('**/visit');
  await phone.goto('/visit/reschedule');
  const errors = watchConsoleErrors(phone, 'patient');

  await expect(phone.getByRole('heading', { level: 1, name: 'Choose another time' })).toBeVisible();
  await expect(phone.getByText(`Your visit with ${scenario.doctor.name} is now on`)).toBeVisible();
  const days = phone.locator('details.slot-day');
  await expect(days.first()).toHaveAttribute('open', '');
  // The second day is folded; open it and take its third time.
  const second = days.nth(1);
  await second.locator('summary').click();
  const slot = second.locator('button.slot').nth(2);
  const date = await slot.getAttribute('data-date');
  const time = (await slot.textContent())!.trim();
  await slot.click();

  await expect(phone.getByRole('heading', { name: /^Move your visit to / })).toBeFocused();
  await phone.getByRole('button', { name: 'Yes, move my visit' }).click();
  await expect(phone.getByRole('status').filter({ hasText: 'Your visit is now on' })).toBeVisible();

  const moved = await db.appointment.findUniqueOrThrow({ where: { id: scenario.appointment.id } });
  expect(moved.startsAt.toISOString()).toBe(zonedTimeToUtc(date!, time, scenario.clinic.timeZone).toISOString());
  expect(moved.status).toBe('SCHEDULED');
  expect(await db.auditEvent.count({ where: { action: 'appointment.rescheduled', actor: `patient:${scenario.patient.id}` } })).toBe(1);
  await expect(phone.getByRole('link', { name: 'Back to my visit' })).toHaveAttribute('href', '/visit');
  expect(errors).toEqual([]);
});
