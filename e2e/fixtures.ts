import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { devices } from '@playwright/test';
import { createVisitScenario } from '@/server/testing/factories';
import { db } from '@/server/db';
import { format, inEither } from './strings';

export { expect };

/**
 * Contexts a test opened. The browser lives as long as the worker, so a context left open would keep
 * its call (camera, microphone, LiveKit connection) running through every later test.
 */
const openContexts = new Set<BrowserContext>();

/** A context that is closed when the test ends. */
export async function newTestContext(browser: Browser, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  return context;
}

/** A phone-sized context for the patient: they open their link from an SMS on a phone. */
export async function newPhonePage(browser: Browser, locale = 'zh-CN'): Promise<Page> {
  const { defaultBrowserType: _ignored, ...pixel } = devices['Pixel 7'];
  const context = await newTestContext(browser, { ...pixel, locale, permissions: ['camera', 'microphone'] });
  return context.newPage();
}

export async function newDesktopPage(browser: Browser, locale = 'en-US'): Promise<Page> {
  const context = await newTestContext(browser, { viewport: { width: 1280, height: 800 }, locale, permissions: ['camera', 'microphone'] });
  return context.newPage();
}

/** Collects every error the page logs, with where it came from: a console.error in the app is a defect. */
export function watchConsoleErrors(page: Page, label: string): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${label}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`${label}: ${error.message}`));
  return errors;
}

export const test = base.extend<{ scenario: Awaited<ReturnType<typeof createVisitScenario>>; closeOpenContexts: void }>({
  // eslint-disable-next-line no-empty-pattern
  scenario: async ({}, use) => {
    await use(await createVisitScenario());
  },
  closeOpenContexts: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use();
      await Promise.all([...openContexts].map((context) => context.close().catch(() => undefined)));
      openContexts.clear();
    },
    { auto: true },
  ],
});

export async function signInAsStaff(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel(inEither((t) => t.staffSignIn.email)).fill(email);
  await page.getByLabel(inEither((t) => t.staffSignIn.password)).fill(password);
  await page.getByRole('button', { name: inEither((t) => t.staffSignIn.submit) }).click();
  await page.waitForURL('**/staff');
}

/** After the identity check the patient accepts the telehealth consent. */
export async function acceptConsent(page: Page) {
  await page.waitForURL('**/visit');
  await page.getByRole('checkbox', { name: inEither((t) => t.consent.agree) }).check();
  await page.getByRole('button', { name: inEither((t) => t.consent.accept) }).click();
}

/** Consent, then the camera / microphone / connection check, then through the clinic's menu into the queue. */
export async function passDeviceCheck(page: Page) {
  await acceptConsent(page);
  await page.getByRole('button', { name: inEither((t) => [t.deviceCheck.continue, t.deviceCheck.continueAudioOnly]) }).click();
  await skipHomeVitals(page);
  await chooseRoutineFollowUp(page);
}

/** A key of the call's keypad, once the clinic's agent is there to hear it. */
export async function pressKey(page: Page, digit: string) {
  const key = page.getByRole('button', { name: inEither((t) => format(t.call.key, { digit })) });
  await expect(key).toBeEnabled({ timeout: 20_000 });
  await key.click();
  await expect(page.getByRole('status').filter({ hasText: inEither((t) => format(t.call.sent, { digit })) })).toBeVisible();
}

/** In the clinic's default menu: 1 (a follow-up with the doctor), then 1 (routine); the patient is then in line. */
export async function chooseRoutineFollowUp(page: Page) {
  await pressKey(page, '1');
  await pressKey(page, '1');
  await expect(page.getByText(inEither((t) => t.call.waitingKeys))).toBeVisible({ timeout: 20_000 });
}

/** The patient's call has reached the consult (same page, same connection). */
export async function waitForPatientConsult(page: Page) {
  await expect(page.locator('.consult-stage')).toBeVisible({ timeout: 20_000 });
}

/** The optional home-readings step between the device check and the waiting room. */
export async function skipHomeVitals(page: Page) {
  await page.getByRole('button', { name: inEither((t) => t.vitalsForm.skip) }).click();
}

export async function enterBirthDate(page: Page, birthDate: string) {
  const [year, month, day] = birthDate.split('-') as [string, string, string];
  await page.getByRole('textbox', { name: inEither((t) => t.patientCheck.year) }).fill(year);
  await page.getByRole('textbox', { name: inEither((t) => t.patientCheck.month) }).fill(month);
  await page.getByRole('textbox', { name: inEither((t) => t.patientCheck.day) }).fill(day);
  await page.getByRole('button', { name: inEither((t) => t.patientCheck.submit) }).click();
}

/** True once a remote participant's camera shows decoded frames in this page. */
export async function remoteVideoWidth(page: Page): Promise<number> {
  return page.evaluate(() => {
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>('[data-lk-local-participant="false"] video'));
    return Math.max(0, ...videos.map((v) => v.videoWidth));
  });
}

export { db };

/** RMS level of the remote audio this page plays, sampled for about a second (the fake microphone beeps). */
export async function remoteAudioLevel(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const streams = Array.from(document.querySelectorAll('audio'))
      .map((el) => el.srcObject)
      .filter((s): s is MediaStream => s instanceof MediaStream && s.getAudioTracks().length > 0);
    if (streams.length === 0) return 0;
    const context = new AudioContext();
    await context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    for (const stream of streams) context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 60));
      analyser.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length);
      peak = Math.max(peak, rms);
    }
    await context.close();
    return peak;
  });
}

/** The app's own alert (Next.js adds an empty route announcer with the alert role too). */
export function appAlert(page: Page) {
  return page.getByRole('main').getByRole('alert');
}

/** The clinician sets themselves available and accepts the offer for `patientName` when it rings. */
export async function takeNextPatient(page: Page, patientName: string) {
  await page.getByRole('button', { name: inEither((t) => t.desk.goAvailable) }).click();
  const offer = page.getByRole('alertdialog');
  await expect(offer).toContainText(patientName);
  await offer.getByRole('button', { name: inEither((t) => t.desk.accept) }).click();
}

/**
 * Frames shown so far from remote cameras, counted per remote track so the figure only grows: a tile's video
 * element can be replaced (the grid reorders, a track is re-attached), and a new element counts from zero.
 * Frames stop growing only when no remote video is playing.
 */
export async function remoteFramesDecoded(page: Page): Promise<number> {
  return page.evaluate(() => {
    type Counted = { last: number; carried: number };
    const store = window as unknown as { __remoteFrames?: Map<string, Counted> };
    const counted = (store.__remoteFrames ??= new Map<string, Counted>());
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>('[data-lk-local-participant="false"] video'));
    for (const video of videos) {
      const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0];
      if (!track) continue;
      const frames = video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0;
      const entry = counted.get(track.id) ?? { last: 0, carried: 0 };
      // A count lower than the last one is a new element for the same track: keep what the old one showed.
      if (frames < entry.last) entry.carried += entry.last;
      entry.last = frames;
      counted.set(track.id, entry);
    }
    return [...counted.values()].reduce((sum, entry) => sum + entry.carried + entry.last, 0);
  });
}
