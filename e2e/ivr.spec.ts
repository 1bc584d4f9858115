import { RoomServiceClient } from 'livekit-server-sdk';
import type { Browser, Page } from '@playwright/test';
import {
  acceptConsent,
  db,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  pressKey,
  remoteAudioLevel,
  remoteVideoWidth,
  signInAsStaff,
  skipHomeVitals,
  takeNextPatient,
  test,
  watchConsoleErrors,
} from './fixtures';
import { en, format } from './strings';

const rooms = () => new RoomServiceClient(process.env.LIVEKIT_URL!.replace(/^ws/, 'http'), process.env.LIVEKIT_API_KEY!, process.env.LIVEKIT_API_SECRET!);

/** A fingerprint of the agent's current video frame and whether it shows anything (not one flat colour). */
async function agentFrame(page: Page): Promise<{ key: string; blank: boolean }> {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="agent-video"]');
    if (!video || video.videoWidth === 0) return { key: '', blank: true };
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d')!;
    context.drawImage(video, 0, 0, 64, 36);
    const pixels = context.getImageData(0, 0, 64, 36).data;
    let min = 255;
    let max = 0;
    let sum = 0;
    const coarse: number[] = [];
    for (let i = 0; i < pixels.length; i += 4) {
      const luma = Math.round(0.3 * pixels[i]! + 0.59 * pixels[i + 1]! + 0.11 * pixels[i + 2]!);
      min = Math.min(min, luma);
      max = Math.max(max, luma);
      sum += luma;
      if ((i / 4) % 37 === 0) coarse.push(luma >> 4);
    }
    return { key: `${Math.round(sum / 100)}:${coarse.join('')}`, blank: max - min < 20 };
  });
}

async function decodedFrames(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="agent-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0);
}

/** The patient on their phone, in English, from the SMS link through check-in: in the call, at the clinic's menu. */
async function intoTheMenu(browser: Browser, scenario: { link: { token: string }; birthDate: string }) {
  const patient = await newPhonePage(browser, 'en-US');
  const errors = watchConsoleErrors(patient, 'patient');
  await patient.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(patient, scenario.birthDate);
  await acceptConsent(patient);
  await patient.getByRole('button', { name: en.deviceCheck.continue }).click();
  await skipHomeVitals(patient);
  return { patient, errors };
}

test('the patient is in the call from check-in: menu by keypad, the wait with its clip, and the doctor on accept', async ({ browser, scenario }) => {
  const { patient, errors } = await intoTheMenu(browser, scenario);

  // The menu arrives as video and voice from the room's agent; the patient publishes nothing yet.
  await expect.poll(async () => (await agentFrame(patient)).blank, { timeout: 20_000 }).toBe(false);
  await expect.poll(() => remoteAudioLevel(patient), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await expect(patient.getByTestId('agent-caption')).toContainText('Welcome to your follow-up visit');
  const room = `consult-${scenario.appointment.id}`;
  const inRoom = await rooms().listParticipants(room);
  const me = inRoom.find((p) => p.identity === scenario.patient.id)!;
  expect(me.tracks).toHaveLength(0);
  expect(me.permission?.canPublish).toBe(false);
  expect(inRoom.some((p) => p.identity === 'revisit-agent')).toBe(true);

  const menuFrame = await agentFrame(patient);
  await pressKey(patient, '1');
  await expect.poll(async () => (await agentFrame(patient)).key, { timeout: 10_000 }).not.toBe(menuFrame.key);
  await expect(patient.getByTestId('agent-caption')).toContainText('how you have been');
  await pressKey(patient, '2');

  // In line, with the reason and path of the menu on the task; the clinic's clip plays meanwhile.
  await expect(patient.getByText(en.call.waitingKeys)).toBeVisible({ timeout: 20_000 });
  await expect(patient.getByText(format(en.waiting.position, { position: 1 }), { exact: true })).toBeVisible();
  const task = await db.task.findFirstOrThrow({ where: { appointmentId: scenario.appointment.id, state: { in: ['WAITING', 'OFFERED'] } } });
  expect(task.priority).toBe(2);
  expect(task.attributes).toMatchObject({ menuChoice: { en: 'New or worse symptoms' }, menuPath: ['1', '2'] });
  // The clip's frames keep arriving (decoded by the page), and they are not the menu's.
  await expect.poll(async () => (await agentFrame(patient)).key, { timeout: 10_000 }).not.toBe(menuFrame.key);
  const framesNow = await decodedFrames(patient);
  await expect.poll(() => decodedFrames(patient), { timeout: 10_000 }).toBeGreaterThan(framesNow + 10);
  expect((await agentFrame(patient)).blank).toBe(false);

  // 0 says the place in line now; 9 goes back to the menu, and the menu leads back to the wait.
  await pressKey(patient, '0');
  await expect(patient.getByTestId('agent-caption')).toContainText(format(en.call.positionNow, { position: 1 }));
  await pressKey(patient, '9');
  await expect(patient.getByTestId('agent-caption')).toContainText('Welcome to your follow-up visit');
  await expect(patient.getByText(en.call.waitingKeys)).toHaveCount(0);
  await pressKey(patient, '1');
  await pressKey(patient, '2');
  await expect(patient.getByText(en.call.waitingKeys)).toBeVisible({ timeout: 20_000 });

  // The doctor accepts: the agent leaves, the patient's camera goes on, and each sees the other.
  const doctor = await newDesktopPage(browser);
  errors.push(...watchConsoleErrors(doctor, 'doctor'));
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await expect(doctor.getByText('New or worse symptoms')).toBeVisible();
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await expect(patient.locator('.consult-stage')).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => (await rooms().listParticipants(room)).some((p) => p.identity === 'revisit-agent'), { timeout: 5000 }).toBe(false);
  await expect.poll(() => remoteVideoWidth(patient), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteVideoWidth(doctor), { timeout: 20_000 }).toBeGreaterThan(0);
  expect(patient.url()).toMatch(/\/visit$/);
  const session = await db.callSession.findFirstOrThrow({ where: { room }, orderBy: { startedAt: 'desc' } });
  expect(session.stage).toBe('CONSULT');
  expect(errors).toEqual([]);
});

test('in the menu, 3 opens the home readings and comes back to the menu, and 2 goes to changing the appointment', async ({ browser, scenario }) => {
  const { patient, errors } = await intoTheMenu(browser, scenario);

  await pressKey(patient, '3');
  await patient.getByRole('button', { name: en.vitalsForm.skip }).click();
  await expect(patient.getByTestId('agent-caption')).toContainText('Welcome to your follow-up visit', { timeout: 20_000 });
  await pressKey(patient, '2');
  await patient.waitForURL('**/visit/reschedule');
  const session = await db.callSession.findFirstOrThrow({ where: { room: `consult-${scenario.appointment.id}` } });
  const choices = await db.ivrEvent.findMany({ where: { sessionId: session.id, kind: 'CHOICE' }, orderBy: { at: 'asc' }, select: { digit: true } });
  expect(choices.map((c) => c.digit)).toEqual(['3', '2']);
  expect(await db.task.count({ where: { appointmentId: scenario.appointment.id } })).toBe(0);
  expect(errors).toEqual([]);
});
