import { localeNames } from '@/server/shared/i18n/locales';
import { createVisitScenario } from '@/server/testing/factories';
import {
  appAlert,
  db,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  remoteAudioLevel,
  remoteVideoWidth,
  acceptConsent,
  skipHomeVitals,
  signInAsStaff,
  takeNextPatient,
  test,
  watchConsoleErrors,
  waitForPatientConsult,
  chooseRoutineFollowUp,
} from './fixtures';
import { containing, en, format, zh } from './strings';

test('doctor and patient meet in the same consult room and see and hear each other', async ({ browser, scenario }) => {
  const doctor = await newDesktopPage(browser);
  const patient = await newPhonePage(browser);
  const errors = [...watchConsoleErrors(doctor, 'doctor'), ...watchConsoleErrors(patient, 'patient')];

  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);

  // The patient opens the SMS link on a phone, proves who they are and waits in the waiting room.
  await patient.goto(`/v/${scenario.link.token}`);
  await expect(patient.getByRole('heading', { name: zh.patientCheck.title })).toBeVisible();
  await enterBirthDate(patient, scenario.birthDate);
  // Consent first: without the tick the patient is told what to do.
  await patient.waitForURL('**/visit');
  await expect(patient.getByRole('heading', { name: zh.consent.title })).toBeVisible();
  await patient.getByRole('button', { name: zh.consent.accept }).click();
  await expect(appAlert(patient)).toHaveText(zh.consent.mustTick);
  await acceptConsent(patient);
  // The device check shows the camera and a live microphone level before the patient continues.
  await expect(patient.getByRole('heading', { name: zh.deviceCheck.title })).toBeVisible();
  await expect.poll(() => patient.locator('.preview video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await expect.poll(async () => Number(await patient.getByRole('meter').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await expect(patient.locator('[data-quality]')).toHaveAttribute('data-quality', /good|fair/);
  // The continue button does not move when the camera's picture arrives: the preview's frame has the
  // same size with the picture as without one (a video element without a picture is 300 x 150).
  const continueButton = patient.getByRole('button', { name: zh.deviceCheck.continue });
  const withPicture = await continueButton.boundingBox();
  await patient.locator('.preview video').evaluate((v: HTMLVideoElement) => {
    v.srcObject = null;
  });
  await expect.poll(() => patient.locator('.preview video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(0);
  expect(await continueButton.boundingBox()).toEqual(withPicture);
  await continueButton.click();
  await skipHomeVitals(patient);
  await chooseRoutineFollowUp(patient);
  await expect(patient.getByRole('status').filter({ hasText: format(zh.waiting.position, { position: 1 }) })).toBeVisible();

  // The doctor becomes available, is offered the patient and accepts; both land in the consult room.
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}`);
  await waitForPatientConsult(patient);

  // Each side receives the other's camera and the video element decodes real frames.
  await expect.poll(() => remoteVideoWidth(doctor), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteVideoWidth(patient), { timeout: 30_000 }).toBeGreaterThan(0);
  // And each hears the other's microphone (the fake device beeps).
  await expect.poll(() => remoteAudioLevel(doctor), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect.poll(() => remoteAudioLevel(patient), { timeout: 20_000 }).toBeGreaterThan(0.01);

  // LiveKit told the web app about both joins through the verified webhook.
  await expect
    .poll(() =>
      db.livekitWebhookEvent.findMany({
        where: { roomName: `consult-${scenario.appointment.id}`, event: 'participant_joined' },
        select: { participant: true },
      }),
    )
    .toEqual(expect.arrayContaining([{ participant: scenario.doctor.id }, { participant: scenario.patient.id }]));

  // The doctor ends the consult: the visit is completed and the patient's call ends with it.
  await doctor.getByRole('button', { name: 'End consult' }).click();
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}/wrap-up`);
  await expect(patient.getByRole('status').filter({ hasText: zh.consult.ended })).toBeVisible();
  await expect.poll(async () => (await db.appointment.findUniqueOrThrow({ where: { id: scenario.appointment.id } })).status).toBe('COMPLETED');

  // Wrap-up: notes, plan and the next follow-up booked in one click; the patient sees the summary.
  await patient.getByRole('link', { name: zh.summary.title }).click();
  await expect(patient.getByRole('status').filter({ hasText: zh.summary.pending })).toBeVisible();
  await doctor.getByRole('button', { name: 'Save and finish' }).click();
  await expect(doctor.getByText('Write a short assessment')).toBeVisible();
  await doctor.getByLabel('Consult note').fill('BP log reviewed, 135/85 average. No dizziness.');
  await doctor.getByLabel('Assessment').fill('Hypertension, improving on amlodipine.');
  await doctor.getByLabel(/Plan and instructions/).fill('Keep amlodipine 5 mg each morning. Measure blood pressure twice a day.');
  await doctor.getByLabel('In 4 weeks').check();
  await doctor.getByRole('button', { name: 'Save and finish' }).click();
  await expect(doctor.getByRole('status')).toContainText('Saved. Next follow-up');
  await expect(patient.getByText('Keep amlodipine 5 mg each morning.')).toBeVisible({ timeout: 15_000 });
  await expect(patient.getByRole('heading', { name: zh.summary.next })).toBeVisible();
  const next = await db.appointment.findFirstOrThrow({ where: { previousAppointmentId: scenario.appointment.id } });
  expect(next.startsAt.getTime() - scenario.appointment.startsAt.getTime()).toBeGreaterThanOrEqual(28 * 24 * 3600_000);
  expect(errors).toEqual([]);
});

test('a wrong date of birth is refused with the attempts left, and the fifth locks the link', async ({ browser, scenario }) => {
  const patient = await newPhonePage(browser, 'en-US');
  await patient.goto(`/v/${scenario.link.token}`);
  for (let left = 4; left >= 1; left--) {
    await enterBirthDate(patient, '1970-01-01');
    await expect(appAlert(patient)).toHaveText(`The date of birth does not match our records. ${left} attempts left.`);
  }
  await enterBirthDate(patient, '1970-01-01');
  await expect(appAlert(patient)).toContainText('This link is locked after too many wrong answers');
  await expect(patient.getByRole('button', { name: en.patientCheck.submit })).toHaveCount(0);

  // Coming back to a locked link, even with the right date, gets the same answer.
  await patient.goto(`/v/${scenario.link.token}`);
  await expect(appAlert(patient)).toContainText('This link is locked');
  await expect(patient).toHaveURL(new RegExp(`/v/${scenario.link.token}$`));
});

test('an expired link and a malformed link are refused with a clear message', async ({ browser }) => {
  const expired = await createVisitScenario({ linkExpiresAt: new Date(Date.now() - 60_000) });
  const patient = await newPhonePage(browser, 'en-US');
  await patient.goto(`/v/${expired.link.token}`);
  await expect(appAlert(patient)).toHaveText('This link has expired. Please contact your clinic for a new link.');

  await patient.goto('/v/not-a-real-link');
  await expect(appAlert(patient)).toContainText('This link is not valid');
});

test('a patient cannot open another patient’s consult', async ({ browser, scenario }) => {
  const other = await createVisitScenario();
  const patient = await newPhonePage(browser, 'en-US');
  await patient.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(patient, scenario.birthDate);
  await patient.waitForURL('**/visit');
  await patient.goto(`/consult/${other.appointment.id}`);
  await expect(appAlert(patient)).toHaveText('You do not have access to this page.');
});

test('staff sign-in refuses a wrong password, and the language can be switched and is remembered', async ({ browser, scenario }) => {
  const page = await newDesktopPage(browser, 'en-US');
  await page.goto('/signin');
  await expect(page.getByRole('heading', { name: 'Staff sign-in' })).toBeVisible();
  await page.getByLabel('Email').fill(scenario.doctor.email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(appAlert(page)).toHaveText('The email or password is not correct.');

  await page.getByRole('button', { name: localeNames['zh-CN'] }).click();
  await expect(page.getByRole('heading', { name: zh.staffSignIn.title })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: zh.staffSignIn.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

  await page.getByLabel(zh.staffSignIn.email).fill(scenario.doctor.email);
  await page.getByLabel(zh.staffSignIn.password).fill(scenario.doctor.password);
  await page.getByRole('button', { name: zh.staffSignIn.submit }).click();
  await page.waitForURL('**/staff');
  await expect(page.getByRole('heading', { name: containing(zh.staffHome.title) })).toBeVisible();
  await page.getByRole('button', { name: zh.common.signOut }).click();
  await page.waitForURL((url) => url.pathname === '/');
});
