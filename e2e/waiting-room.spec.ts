import { addVisit } from '@/server/testing/factories';
import {
  appAlert,
  db,
  enterBirthDate,
  passDeviceCheck,
  expect,
  newDesktopPage,
  newPhonePage,
  signInAsStaff,
  test,
  watchConsoleErrors,
  waitForPatientConsult,
} from './fixtures';
import { en, format } from './strings';

async function joinWaitingRoom(browser: Parameters<typeof newPhonePage>[0], token: string, birthDate: string) {
  const page = await newPhonePage(browser, 'en-US');
  await page.goto(`/v/${token}`);
  await enterBirthDate(page, birthDate);
  await passDeviceCheck(page);
  return page;
}

const place = (page: Awaited<ReturnType<typeof newPhonePage>>, n: number) =>
  page.getByRole('status').filter({ hasText: format(en.waiting.position, { position: n }) });

test('two patients see positions 1 and 2, and the second moves up when the first is served', async ({ browser, scenario }) => {
  const second = await addVisit(scenario.clinic.id, scenario.doctor.id);
  const first = await joinWaitingRoom(browser, scenario.link.token, scenario.birthDate);
  await expect(place(first, 1)).toBeVisible();
  const next = await joinWaitingRoom(browser, second.link.token, second.birthDate);
  await expect(place(next, 2)).toBeVisible();
  const errors = [...watchConsoleErrors(first, 'first'), ...watchConsoleErrors(next, 'second')];

  const doctor = await newDesktopPage(browser);
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  // The queue board lists both, in order.
  const board = doctor.getByRole('table', { name: 'Queue' });
  await expect(board.getByRole('row')).toHaveCount(3);
  await doctor.getByRole('button', { name: 'Available' }).click();
  const offer = doctor.getByRole('alertdialog');
  await expect(offer).toContainText(`${scenario.patient.familyName}${scenario.patient.givenName}`);
  await expect(offer).toContainText(/\d+ s to answer/);
  await offer.getByRole('button', { name: 'Accept' }).click();

  await waitForPatientConsult(first);
  await expect(place(next, 1)).toBeVisible();
  expect(errors).toEqual([]);
});

test('a declined offer puts the patient back at the same place', async ({ browser, scenario }) => {
  const second = await addVisit(scenario.clinic.id, scenario.doctor.id);
  const first = await joinWaitingRoom(browser, scenario.link.token, scenario.birthDate);
  const next = await joinWaitingRoom(browser, second.link.token, second.birthDate);
  await expect(place(next, 2)).toBeVisible();

  const doctor = await newDesktopPage(browser);
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await doctor.getByRole('button', { name: 'Available' }).click();
  const offer = doctor.getByRole('alertdialog');
  await expect(offer).toContainText(`${scenario.patient.familyName}${scenario.patient.givenName}`);
  await expect(first.getByRole('status').filter({ hasText: en.waiting.yourTurnSoon })).toBeVisible();
  await offer.getByRole('button', { name: 'Decline' }).click();
  // The offer for this patient is gone (the doctor may now be offered the next one).
  await expect(offer.filter({ hasText: `${scenario.patient.familyName}${scenario.patient.givenName}` })).toHaveCount(0);
  await expect(first.getByText(en.waiting.yourTurnSoon)).toHaveCount(0);

  await expect(place(first, 1)).toBeVisible();
  await expect(place(next, 2)).toBeVisible();
  const task = await db.task.findFirstOrThrow({ where: { appointmentId: scenario.appointment.id } });
  expect(task.state).not.toBe('ASSIGNED');
  await expect.poll(() => db.offer.count({ where: { taskId: task.id, state: 'DECLINED', clinicianId: scenario.doctor.id } })).toBe(1);
});

test('a patient who leaves the waiting room is no longer in line', async ({ browser, scenario }) => {
  const patient = await joinWaitingRoom(browser, scenario.link.token, scenario.birthDate);
  await expect(place(patient, 1)).toBeVisible();
  await patient.getByRole('button', { name: 'Leave the waiting room' }).click();
  await expect(patient.getByText('You have left the waiting room.')).toBeVisible();
  const task = await db.task.findFirstOrThrow({ where: { appointmentId: scenario.appointment.id } });
  expect(task.state).toBe('ABANDONED');
  await expect(appAlert(patient)).toHaveCount(0);
});
