import { chromium, devices, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import {
  acceptConsent,
  skipHomeVitals,
  appAlert,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  remoteAudioLevel,
  remoteFramesDecoded,
  remoteVideoWidth,
  signInAsStaff,
  takeNextPatient,
  test,
  waitForPatientConsult,
  chooseRoutineFollowUp,
} from './fixtures';

test('with the camera blocked the patient is told how to allow it and still joins by audio', async ({ browser, scenario, baseURL }) => {
  // A browser whose camera permission was refused: no automatic "allow", only the microphone granted.
  const phoneBrowser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: chromiumArgs.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
  });
  try {
    const { defaultBrowserType: _ignored, ...pixel } = devices['Pixel 7'];
    const context = await phoneBrowser.newContext({ ...pixel, locale: 'en-US', baseURL, permissions: ['microphone'] });
    const patient = await context.newPage();
    await patient.goto(`/v/${scenario.link.token}`);
    await enterBirthDate(patient, scenario.birthDate);
    await acceptConsent(patient);
    await expect(appAlert(patient).filter({ hasText: 'The camera is blocked or not available.' })).toBeVisible();
    await expect(patient.getByText(/iPhone \/ iPad \(Safari\)/)).toBeVisible();
    await expect(patient.getByText(/Android \(Chrome\)/)).toBeVisible();
    await patient.getByRole('button', { name: 'Continue with audio only' }).click();
    await skipHomeVitals(patient);
    await chooseRoutineFollowUp(patient);

    const doctor = await newDesktopPage(browser);
    await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
    await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
    await waitForPatientConsult(patient);

    // The doctor hears the patient, and the patient sees and hears the doctor; no patient video.
    await expect.poll(() => remoteAudioLevel(doctor), { timeout: 20_000 }).toBeGreaterThan(0.01);
    await expect.poll(() => remoteVideoWidth(patient), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => remoteAudioLevel(patient), { timeout: 20_000 }).toBeGreaterThan(0.01);
    expect(await remoteVideoWidth(doctor)).toBe(0);
  } finally {
    await phoneBrowser.close();
  }
});

async function intoConsult(
  page: Page,
  doctor: Page,
  scenario: {
    link: { token: string };
    birthDate: string;
    appointment: { id: string };
    doctor: { email: string; password: string };
    patient: { familyName: string; givenName: string };
  },
) {
  await page.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(page, scenario.birthDate);
  await acceptConsent(page);
  await page.getByRole('button', { name: /Continue to the waiting room|Continue with audio only/ }).click();
  await skipHomeVitals(page);
  await chooseRoutineFollowUp(page);
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await waitForPatientConsult(page);
}

test('when the network drops the patient sees a reconnect banner and the call resumes', async ({ browser, scenario }) => {
  const patient = await newPhonePage(browser, 'en-US');
  const doctor = await newDesktopPage(browser);
  await intoConsult(patient, doctor, scenario);
  await expect.poll(() => remoteVideoWidth(patient), { timeout: 30_000 }).toBeGreaterThan(0);

  await patient.context().setOffline(true);
  await expect(patient.getByRole('status').filter({ hasText: 'Connection lost. Reconnecting…' })).toBeVisible({ timeout: 30_000 });
  await patient.context().setOffline(false);
  await expect(patient.getByRole('status').filter({ hasText: 'Connection lost. Reconnecting…' })).toHaveCount(0, { timeout: 30_000 });

  // Media flows again: new frames keep arriving from the doctor's camera.
  const before = await remoteFramesDecoded(patient);
  await expect.poll(() => remoteFramesDecoded(patient), { timeout: 20_000 }).toBeGreaterThan(before + 10);
  await expect.poll(() => remoteAudioLevel(doctor), { timeout: 20_000 }).toBeGreaterThan(0.01);
});
