import { readFileSync } from 'node:fs';
import { db } from '@/server/db';
import { scheduleVisitMessages } from '@/server/notify/reminders';
import {
  acceptConsent,
  skipHomeVitals,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  remoteVideoWidth,
  signInAsStaff,
  takeNextPatient,
  test,
  waitForPatientConsult,
  chooseRoutineFollowUp,
} from './fixtures';
import { format, zh } from './strings';

/** The text the dev SMS provider "sent" for a message, read from the web server's log. */
function sentText(providerMessageId: string): string {
  const log = readFileSync(process.env.WEB_LOG_FILE!, 'utf8');
  const line = log.split('\n').find((l) => l.includes(`[sms:dev] ${providerMessageId} `));
  if (!line) throw new Error(`no SMS ${providerMessageId} in the web log`);
  return line;
}

test('the 15-minute reminder’s link takes the patient through check-in and the consult to the summary', async ({ browser, scenario }) => {
  // A follow-up in 16 minutes, booked the way the schedule books it: confirmation and reminders queued.
  const startsAt = new Date(Date.now() + 16 * 60_000);
  const appointment = await db.appointment.update({ where: { id: scenario.appointment.id }, data: { startsAt } });
  await db.$transaction((tx) => scheduleVisitMessages(tx, appointment));
  // Let a minute pass for the reminder: it becomes due now, and the web server's worker sends it.
  await db.message.updateMany({
    where: { appointmentId: appointment.id, kind: 'REMINDER_15M' },
    data: { sendAfter: new Date(), nextAttemptAt: new Date() },
  });
  const reminder = await expect
    .poll(async () => (await db.message.findFirst({ where: { appointmentId: appointment.id, kind: 'REMINDER_15M' } }))?.status, {
      timeout: 20_000,
    })
    .toBe('SENT')
    .then(() => db.message.findFirstOrThrow({ where: { appointmentId: appointment.id, kind: 'REMINDER_15M' } }));

  const text = sentText(reminder.providerMessageId!);
  expect(text).toContain(reminder.to);
  const link = text.match(/https?:\/\/\S+\/v\/[A-Za-z0-9_-]{43}/)?.[0];
  expect(link, text).toBeDefined();
  // Staff see only the start of the link.
  expect(reminder.bodyPreview).not.toContain(link!.split('/v/')[1]);

  const patient = await newPhonePage(browser);
  await patient.goto(link!);
  await enterBirthDate(patient, scenario.birthDate);
  await acceptConsent(patient);
  await patient.getByRole('button', { name: zh.deviceCheck.continue }).click();
  await skipHomeVitals(patient);
  await chooseRoutineFollowUp(patient);
  await expect(patient.getByRole('status').filter({ hasText: format(zh.waiting.position, { position: 1 }) })).toBeVisible();

  const doctor = await newDesktopPage(browser);
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await waitForPatientConsult(patient);
  await expect.poll(() => remoteVideoWidth(patient), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteVideoWidth(doctor), { timeout: 30_000 }).toBeGreaterThan(0);

  await doctor.getByRole('button', { name: 'End consult' }).click();
  await doctor.waitForURL(`**/consult/${appointment.id}/wrap-up`);
  await patient.getByRole('link', { name: zh.summary.title }).click();
  await doctor.getByLabel('Consult note').fill('Home readings reviewed with the patient.');
  await doctor.getByLabel('Assessment').fill('Stable.');
  await doctor.getByLabel(/Plan and instructions/).fill('Same dose. Send readings weekly.');
  await doctor.getByLabel('In 4 weeks').check();
  await doctor.getByRole('button', { name: 'Save and finish' }).click();
  await expect(doctor.getByRole('status')).toContainText('Saved. Next follow-up');
  await expect(patient.getByText('Same dose. Send readings weekly.')).toBeVisible({ timeout: 15_000 });
  await expect(patient.getByRole('heading', { name: zh.summary.next })).toBeVisible();
  const next = await db.appointment.findFirstOrThrow({ where: { previousAppointmentId: appointment.id } });
  expect(next.patientId).toBe(appointment.patientId);
});
