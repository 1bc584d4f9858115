// `npm run bench:join`: on a local stack (PostgreSQL, LiveKit, the built web app, the agents worker, Debian
// Chromium with a fake camera), runs the follow-up journey 10 times and measures the time from the doctor's click
// on "Accept" to the first decoded frame of the doctor's video on the patient's phone page (both clocks are this
// machine's). The patient is already in the room (through the menu, waiting), as in every real call. It also sums the JavaScript each patient page loads, gzipped: on first load (what
// its HTML asks for) and in total (with what it fetches after first paint), and reports the largest first load.
// Last line: RESULT join_p50_ms=<n> join_p90_ms=<n> patient_first_load_js_kb=<n>
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, devices, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { generateClient } from './lib/postgres.mjs';
import { startStack } from './lib/stack.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const work = path.join(REPO_ROOT, '.data', 'bench', `join-${process.pid}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Records, in the page, when a remote participant's video first shows a decoded frame. */
const watchFirstFrame = () => {
  const w = window as unknown as { __firstRemoteFrameAt?: number };
  const timer = setInterval(() => {
    const videos = document.querySelectorAll<HTMLVideoElement>('[data-lk-local-participant="false"] video');
    for (const video of videos) {
      if (video.videoWidth > 0 && video.readyState >= 2) {
        w.__firstRemoteFrameAt = Date.now();
        clearInterval(timer);
        return;
      }
    }
  }, 5);
};

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await generateClient();
  const stack = await startStack({ work, database: 'revisit_bench' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    console.log('Building and starting the web app…');
    await stack.startWeb();
    await stack.startAgents();
    Object.assign(process.env, stack.env);
    const { createVisitScenario, addVisit } = await import('@/server/testing/factories');
    const base = stack.env.APP_URL as string;

    const first = await createVisitScenario();
    const visits = [first, ...(await Promise.all(Array.from({ length: RUNS - 1 }, () => addVisit(first.clinic.id, first.doctor.id))))];

    const doctor = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', baseURL: base })).newPage();
    await doctor.goto('/signin');
    await doctor.getByLabel('Email').fill(first.doctor.email);
    await doctor.getByLabel('Password').fill(first.doctor.password);
    await doctor.getByRole('button', { name: 'Sign in' }).click();
    await doctor.waitForURL('**/staff');

    const joins: number[] = [];
    const pageKb: Record<string, PageJs> = {};
    const { defaultBrowserType: _ignored, ...pixel } = devices['Pixel 7'];
    for (const [index, visit] of visits.entries()) {
      const context = await browser.newContext({ ...pixel, locale: 'en-US', baseURL: base, permissions: ['camera', 'microphone'] });
      const patient = await context.newPage();
      if (index === 0) pageKb['/v/[token]'] = await pageJs(browser, { ...pixel, baseURL: base }, `/v/${visit.link.token}`);
      await patient.addInitScript(watchFirstFrame);
      await patient.goto(`/v/${visit.link.token}`);
      const [year, month, day] = visit.birthDate.split('-');
      await patient.getByRole('textbox', { name: 'Year' }).fill(year!);
      await patient.getByRole('textbox', { name: 'Month' }).fill(month!);
      await patient.getByRole('textbox', { name: 'Day' }).fill(day!);
      await patient.getByRole('button', { name: 'Continue' }).click();
      await patient.waitForURL('**/visit');
      await patient.getByRole('checkbox', { name: 'I have read this and I agree' }).check();
      await patient.getByRole('button', { name: 'Agree and continue' }).click();
      await patient.getByRole('button', { name: /Continue to the waiting room|Continue with audio only/ }).click();
      await patient.getByRole('button', { name: 'Skip this step' }).click();
      // Through the clinic's menu (1: a follow-up, 1: routine) into the queue, already in the consult's room.
      for (const digit of ['1', '1']) {
        const key = patient.getByRole('button', { name: `Key ${digit}` });
        await key.waitFor();
        await patient.waitForFunction((label) => !document.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)?.disabled, `Key ${digit}`);
        await key.click();
      }
      await patient.getByRole('status').filter({ hasText: 'You are number 1 in line' }).waitFor({ timeout: 30_000 });

      await doctor.goto('/staff');
      await doctor.getByRole('button', { name: 'Available' }).click();
      const offer = doctor.getByRole('alertdialog');
      await offer.waitFor();
      const acceptedAt = await doctor.evaluate(() => Date.now());
      await offer.getByRole('button', { name: 'Accept' }).click();
      await patient.waitForFunction(() => (window as unknown as { __firstRemoteFrameAt?: number }).__firstRemoteFrameAt, null, {
        timeout: 30_000,
        polling: 20,
      });
      const frameAt = await patient.evaluate(() => (window as unknown as { __firstRemoteFrameAt: number }).__firstRemoteFrameAt);
      joins.push(frameAt - acceptedAt);
      // Where the time went: the marks the pages leave (performance entries, as wall-clock times).
      const marks = async (page: Page) =>
        page.evaluate(() =>
          performance.getEntriesByType('mark').map((m) => [m.name.replace('revisit:', ''), Math.round(performance.timeOrigin + m.startTime)] as const),
        );
      const steps = [...(await marks(doctor)), ...(await marks(patient))]
        .filter(([, at]) => at >= acceptedAt)
        .sort((a, b) => a[1] - b[1])
        .map(([name, at]) => `${name} +${at - acceptedAt}`)
        .join(', ');
      console.log(`  after accept: ${steps}`);
      if (index === visits.length - 1) {
        // Opened directly, as after a reload, with this patient's session.
        pageKb['/visit'] = await pageJs(context, {}, '/visit');
        pageKb['/consult/[id]'] = await pageJs(context, {}, `/consult/${visit.appointment.id}`);
      }
      console.log(`run ${index + 1}/${visits.length}: accept -> first remote frame ${frameAt - acceptedAt} ms`);

      await doctor.getByRole('button', { name: 'End consult' }).click();
      await doctor.waitForURL('**/wrap-up');
      await context.close();
    }
    joins.sort((a, b) => a - b);
    const firstLoadKb = Math.max(...Object.values(pageKb).map((js) => js.firstLoadKb));
    console.log(
      `patient JavaScript, gzip (first load / with what loads after first paint): ${Object.entries(pageKb)
        .map(([p, js]) => `${p} ${js.firstLoadKb} / ${js.totalKb} KB`)
        .join(', ')}`,
    );
    console.log(`RESULT join_p50_ms=${percentile(joins, 50)} join_p90_ms=${percentile(joins, 90)} patient_first_load_js_kb=${firstLoadKb}`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

type PageJs = { firstLoadKb: number; totalKb: number };

/**
 * Gzipped JavaScript of a page opened directly. First load is what the page's HTML asks for (the
 * scripts needed to paint and hydrate it, as Next.js counts "First Load JS"); total adds what the
 * page fetches afterwards, such as the video SDK, until the network is idle.
 */
async function pageJs(
  owner: { newPage: () => Promise<Page> } | import('@playwright/test').Browser,
  contextOptions: Record<string, unknown>,
  pagePath: string,
): Promise<PageJs> {
  const isBrowser = 'newContext' in owner;
  const context = isBrowser ? await owner.newContext(contextOptions) : null;
  const page = context ? await context.newPage() : await (owner as { newPage: () => Promise<Page> }).newPage();
  const sizes = new Map<string, Promise<number>>();
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    sizes.set(
      response.url(),
      response.body().then(
        (body) => gzipSync(body, { level: 9 }).length,
        () => 0,
      ),
    );
  });
  const document = await page.goto(pagePath);
  const html = (await document?.text()) ?? '';
  await page.waitForLoadState('networkidle');
  let firstLoad = 0;
  let total = 0;
  for (const [url, size] of sizes) {
    const bytes = await size;
    total += bytes;
    if (html.includes(new URL(url).pathname)) firstLoad += bytes;
  }
  await page.close();
  await context?.close();
  return { firstLoadKb: Math.round(firstLoad / 1024), totalKb: Math.round(total / 1024) };
}

main().catch((error) => {
  console.error(`bench:join failed: ${(error as Error).message}`);
  process.exit(1);
});
