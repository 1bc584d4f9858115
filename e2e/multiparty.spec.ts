import type { Page } from '@playwright/test';
import { createSpecialist } from '@/server/testing/factories';
import {
  db,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  passDeviceCheck,
  remoteAudioLevel,
  remoteFramesDecoded,
  signInAsStaff,
  takeNextPatient,
  test,
  watchConsoleErrors,
  waitForPatientConsult,
} from './fixtures';
import { en, inEither, startingWith, zh } from './strings';

/** Remote camera tiles in this page whose video element shows decoded frames. */
function remoteVideosShowing(page: Page): Promise<number> {
  return page.evaluate(
    () => Array.from(document.querySelectorAll<HTMLVideoElement>('[data-lk-local-participant="false"] video')).filter((v) => v.videoWidth > 0).length,
  );
}

/**
 * Waits until `count` remote cameras show frames in this page. Under heavy load (three browsers on a
 * small machine) the room may drop to audio only by design, as on a weak network; the person turns
 * video back on, as they would.
 */
async function expectRemoteVideos(page: Page, count: number, timeout = 60_000) {
  await expect
    .poll(
      async () => {
        const videoBack = page.getByRole('button', { name: inEither((t) => t.consult.videoOn) });
        if (await videoBack.isVisible()) await videoBack.click();
        return remoteVideosShowing(page);
      },
      { timeout },
    )
    .toBe(count);
}

/** The patient waits and the GP takes them: both are in the consult room. */
async function startConsult(
  doctor: Page,
  patient: Page,
  scenario: {
    doctor: { email: string; password: string };
    link: { token: string };
    birthDate: string;
    appointment: { id: string };
    patient: { familyName: string; givenName: string };
  },
) {
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await patient.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(patient, scenario.birthDate);
  await passDeviceCheck(patient);
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}`);
  await waitForPatientConsult(patient);
}

test('the GP requests a specialist from the consult; the specialist accepts and all three see and hear each other', async ({ browser, scenario }) => {
  test.setTimeout(180_000);
  const specialist = await createSpecialist(scenario.clinic.id, ['cardiology']);
  const doctor = await newDesktopPage(browser);
  const cardiologist = await newDesktopPage(browser);
  const patient = await newPhonePage(browser);
  const errors = [...watchConsoleErrors(doctor, 'doctor'), ...watchConsoleErrors(cardiologist, 'specialist'), ...watchConsoleErrors(patient, 'patient')];
  const patientName = `${scenario.patient.familyName}${scenario.patient.givenName}`;

  // The usual follow-up: the patient waits, the GP takes them.
  await startConsult(doctor, patient, scenario);
  await expectRemoteVideos(doctor, 1);

  // The specialist is signed in and available, with nothing offered yet.
  await signInAsStaff(cardiologist, specialist.email, specialist.password);
  await cardiologist.getByRole('button', { name: 'Available' }).click();
  await expect(cardiologist.getByRole('status').filter({ hasText: 'Available' })).toBeVisible();
  await expect(cardiologist.getByRole('alertdialog')).toHaveCount(0);

  // From the running consult the GP asks for an urgent cardiology opinion.
  const request = doctor.getByRole('region', { name: 'Request a specialist' });
  await request.getByLabel('Department').selectOption({ label: 'Cardiology' });
  await request.getByRole('radio', { name: 'Urgent' }).check();
  await request.getByLabel('Note for the specialist (optional)').fill('Palpitations since Monday');
  await request.getByRole('button', { name: 'Send request' }).click();
  const requests = doctor.getByRole('list', { name: 'Specialist requests' });
  await expect(requests).toContainText(/Offered to a specialist|Waiting for a specialist/);

  // The specialist's desk rings with the patient's context, and accepting brings them into the same room.
  const offer = cardiologist.getByRole('alertdialog');
  await expect(offer).toContainText(patientName);
  await expect(offer).toContainText('Blood pressure follow-up');
  await expect(offer).toContainText(`Specialist request · Cardiology · Urgent · requested by ${scenario.doctor.name}`);
  await expect(offer).toContainText('Palpitations since Monday');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await cardiologist.waitForURL(`**/consult/${scenario.appointment.id}`);

  // All three receive both other cameras with real frames, and hear the others.
  for (const page of [doctor, cardiologist, patient]) await expectRemoteVideos(page, 2);
  for (const page of [doctor, cardiologist, patient]) {
    const before = await remoteFramesDecoded(page);
    await expect.poll(() => remoteFramesDecoded(page), { timeout: 15_000 }).toBeGreaterThan(before + 10);
    await expect.poll(() => remoteAudioLevel(page), { timeout: 20_000 }).toBeGreaterThan(0.01);
  }

  // Everyone's tile carries their role; the patient's phone shows them in Chinese.
  await expect(doctor.locator('.lk-grid-layout')).toContainText('Specialist');
  await expect(doctor.locator('.lk-grid-layout')).toContainText('Patient');
  await expect(patient.locator('.lk-grid-layout')).toContainText(zh.multiparty.roles.GP);
  await expect(patient.locator('.lk-grid-layout')).toContainText(zh.multiparty.roles.SPECIALIST);
  await expect(cardiologist.getByRole('list', { name: 'People in this consult' })).toContainText(scenario.doctor.name);

  // The GP sees that the specialist joined, from LiveKit's webhooks.
  await expect(requests).toContainText(`Joined · ${specialist.name}`, { timeout: 20_000 });
  await expect
    .poll(() => db.consultParticipant.findMany({ where: { appointmentId: scenario.appointment.id }, select: { role: true }, orderBy: { joinedAt: 'asc' } }))
    .toEqual(expect.arrayContaining([{ role: 'GP' }, { role: 'PATIENT' }, { role: 'SPECIALIST' }]));

  // The specialist leaves a note with the visit; the GP sees it at wrap-up.
  const note = cardiologist.getByRole('region', { name: 'Specialist note' });
  await note.getByRole('textbox').fill('Holter monitor for 24 h. No change to amlodipine.');
  await note.getByRole('button', { name: 'Save note' }).click();
  await expect(note.getByRole('status')).toHaveText('Note saved.');
  await doctor.getByRole('button', { name: 'End consult' }).click();
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}/wrap-up`);
  await expect(doctor.getByRole('region', { name: 'Specialist notes' })).toContainText('Holter monitor for 24 h.');
  await expect.poll(async () => (await db.clinicianPresence.findUniqueOrThrow({ where: { userId: specialist.id } })).state).toBe('WRAP_UP');
  expect(errors).toEqual([]);
});

test('a guest invited by link joins without the chart; removed, they are disconnected and the same link no longer works', async ({ browser, scenario }) => {
  test.setTimeout(150_000);
  const doctor = await newDesktopPage(browser);
  const patient = await newPhonePage(browser);
  const guest = await newPhonePage(browser, 'en-US');
  const errors = [...watchConsoleErrors(doctor, 'doctor'), ...watchConsoleErrors(patient, 'patient'), ...watchConsoleErrors(guest, 'guest')];
  await startConsult(doctor, patient, scenario);

  // The GP invites an interpreter and passes on the link and the code.
  const invite = doctor.getByRole('region', { name: 'Invite a guest' });
  await invite.getByLabel('Guest', { exact: true }).selectOption({ label: 'Interpreter' });
  await invite.getByLabel('Guest’s name').fill('Lin Hua');
  await invite.getByRole('button', { name: 'Create invitation' }).click();
  const link = (await invite.getByTestId('invite-link').textContent())!.trim();
  const code = (await invite.getByTestId('invite-code').textContent())!.trim();
  expect(link).toMatch(/\/g\/[A-Za-z0-9_-]{43}$/);
  expect(code).toMatch(/^\d{6}$/);

  // A wrong code is refused with the attempts left; the right name and code let the guest in.
  await guest.goto(link);
  await expect(guest.getByText('Invited as: Interpreter')).toBeVisible();
  await guest.getByLabel('Your name').fill('Lin Hua');
  await guest.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest.getByRole('main').getByRole('alert')).toHaveText('The name or the code does not match the invitation. 4 attempts left.');
  await guest.getByLabel('Your name').fill('lin  hua');
  await guest.getByLabel('Code').fill(code);
  await guest.getByRole('button', { name: 'Join' }).click();
  await guest.waitForURL(`**/consult/${scenario.appointment.id}`);
  await expectRemoteVideos(guest, 2);
  await expect(doctor.locator('.lk-grid-layout')).toContainText('Interpreter');

  // The guest sees the people (the list is folded on a phone), but no chart and none of the clinicians' tools.
  await guest.getByText('People (3)').click();
  await expect(guest.getByRole('list', { name: 'People in this consult' })).toContainText('Lin Hua (you)');
  await expect(guest.getByRole('list', { name: 'People in this consult' })).toContainText('Interpreter');
  const m = en.multiparty;
  for (const name of [m.requestSpecialist, m.invite, m.dialOut, m.specialistNote]) {
    await expect(guest.getByRole('region', { name })).toHaveCount(0);
  }
  await expect(guest.getByRole('complementary', { name: en.ehr.panelTitle })).toHaveCount(0);
  await expect(guest.getByRole('button', { name: en.ehr.showPanel })).toHaveCount(0);
  await expect(guest.getByRole('button', { name: startingWith(m.removeShort, m.muteShort) })).toHaveCount(0);

  // Removed by the GP: the guest is disconnected and told so.
  doctor.on('dialog', (dialog) => dialog.accept());
  await doctor.getByRole('button', { name: 'Remove Lin Hua' }).click();
  await guest.waitForURL(`**/consult/${scenario.appointment.id}/removed`);
  await expect(guest.getByRole('main').getByRole('alert')).toHaveText('You were removed from this consult by the clinician.');
  await expect(doctor.getByRole('list', { name: 'Invitations' })).toContainText('Lin Hua · Interpreter · Removed');
  await expectRemoteVideos(doctor, 1, 20_000);

  // The same link, and the consult page itself, refuse them with a clear message.
  await guest.goto(link);
  await expect(guest.getByRole('main').getByRole('alert')).toHaveText('You were removed from this consult, so this invitation no longer works.');
  await expect(guest.getByRole('button', { name: en.guest.submit })).toHaveCount(0);
  await guest.goto(`/consult/${scenario.appointment.id}`);
  await expect(guest.getByRole('main').getByRole('alert')).toHaveText('You were removed from this consult by the clinician.');
  expect(errors).toEqual([]);
});
