import { createFhirGateway } from '@/server/fhir/gateway';
import { createChartFixture, linkChart } from '@/server/clinical/testing/chart-fixture';
import {
  acceptConsent,
  appAlert,
  db,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  remoteFramesDecoded,
  signInAsStaff,
  takeNextPatient,
  test,
  watchConsoleErrors,
  waitForPatientConsult,
  chooseRoutineFollowUp,
} from './fixtures';

const gateway = createFhirGateway({ baseUrl: process.env.FHIR_BASE_URL!, timeoutMs: 10_000 });

async function fhirServer(action: 'stop' | 'start') {
  const response = await fetch(`${process.env.FHIR_CONTROL_URL}/${action}`, { method: 'POST' });
  expect(response.ok, await response.text()).toBe(true);
}

test("home blood pressure reaches the doctor's panel, the shared chart reaches the phone, and a reading taken while FHIR is down arrives later", async ({
  browser,
  scenario,
}) => {
  test.setTimeout(240_000);
  const { fhirPatientId } = await createChartFixture(gateway, { days: 180, seed: 11 });
  await linkChart(scenario.patient.id, fhirPatientId);
  // What the record holds, as the FHIR server has it: the panel must show it, the phone must not.
  const onRecord = { patient: `Patient/${fhirPatientId}` };
  const problems = (await gateway.search<fhir4.Condition>('Condition', onRecord)).resources.map((condition) => condition.code!.text!);
  const allergies = (await gateway.search<fhir4.AllergyIntolerance>('AllergyIntolerance', onRecord)).resources.map((allergy) => allergy.code!.text!);
  expect(problems.length * allergies.length).toBeGreaterThan(0);

  // The patient enters a blood pressure reading on the phone before the waiting room.
  const patient = await newPhonePage(browser, 'en-US');
  const patientErrors = watchConsoleErrors(patient, 'patient');
  await patient.goto(`/v/${scenario.link.token}`);
  await enterBirthDate(patient, scenario.birthDate);
  await acceptConsent(patient);
  await patient.getByRole('button', { name: /Continue to the waiting room|Continue with audio only/ }).click();
  await expect(patient.getByRole('heading', { name: 'Your readings' })).toBeVisible();
  await expect(patient.getByText('mmHg').first()).toBeVisible();
  // Out of range: refused with the limits named, nothing sent.
  await patient.getByLabel('Upper number (systolic)').fill('400');
  await patient.getByLabel('Lower number (diastolic)').fill('97');
  await patient.getByRole('button', { name: 'Send readings' }).click();
  await expect(appAlert(patient)).toContainText('Upper number (systolic): enter a number between 50 and 260 mmHg.');
  await patient.getByLabel('Upper number (systolic)').fill('168');
  await patient.getByRole('button', { name: 'Send readings' }).click();
  await expect(patient.getByRole('status').filter({ hasText: 'Your readings were sent to your doctor.' })).toBeVisible();
  await patient.getByRole('button', { name: 'Continue to the waiting room' }).click();
  await chooseRoutineFollowUp(patient);

  // The doctor takes the patient; the EHR panel shows the new reading, flagged high.
  const doctor = await newDesktopPage(browser);
  const doctorErrors = watchConsoleErrors(doctor, 'doctor');
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await takeNextPatient(doctor, `${scenario.patient.familyName}${scenario.patient.givenName}`);
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}`);
  await waitForPatientConsult(patient);
  const panel = doctor.getByRole('complementary', { name: 'Patient record' });
  const latestBp = panel.locator('li[data-vital="bloodPressure"]');
  await expect(latestBp).toContainText('168/97 mmHg');
  await expect(latestBp).toContainText('High');
  for (const text of [...problems, ...allergies]) await expect(panel.getByText(text)).toBeVisible();
  const doctorChart = panel.locator('figure[data-vital="bloodPressure"]');
  await expect(doctorChart.locator('canvas').first()).toBeVisible();

  // The doctor shares the blood-pressure chart: the phone shows the same chart.
  await panel.getByRole('button', { name: 'Share Blood pressure chart' }).click();
  const shared = patient.locator('.shared-panel figure[data-vital="bloodPressure"]');
  await expect(shared).toBeVisible({ timeout: 15_000 });
  await expect(shared.locator('canvas').first()).toBeVisible();
  await expect(shared).toHaveAttribute('data-count', (await doctorChart.getAttribute('data-count'))!);
  await expect(shared).toHaveAttribute('data-latest', '168/97 mmHg');
  // The phone got only the chart, not the rest of the record.
  for (const text of allergies) await expect(patient.getByText(text)).toHaveCount(0);

  // A late joiner (the patient reloading) sees what is shared now.
  await patient.reload();
  await expect(shared).toBeVisible({ timeout: 30_000 });

  // The doctor stops sharing: it disappears from the phone.
  await panel.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(patient.locator('.shared-panel')).toHaveCount(0, { timeout: 15_000 });

  // The FHIR server goes down; the patient enters another reading during the call.
  await fhirServer('stop');
  try {
    await patient.getByRole('button', { name: 'Enter my readings' }).click();
    const form = patient.getByRole('dialog', { name: 'Your readings' });
    await form.getByLabel('Upper number (systolic)').fill('181');
    await form.getByLabel('Lower number (diastolic)').fill('102');
    await form.getByRole('button', { name: 'Send readings' }).click();
    await expect(form.getByRole('status')).toHaveText('Your readings are saved. They will reach your record as soon as the clinic system is back.');
    await expect
      .poll(() => db.fhirWrite.findMany({ where: { patientId: scenario.patient.id, status: 'PENDING' }, select: { kind: true } }))
      .toEqual([{ kind: 'VITALS' }]);
    // The doctor's panel says the record system is unreachable; the call goes on.
    await expect(panel.getByRole('alert')).toContainText('The clinical record system cannot be reached right now.', { timeout: 30_000 });
    const frames = await remoteFramesDecoded(doctor);
    await expect.poll(() => remoteFramesDecoded(doctor), { timeout: 20_000 }).toBeGreaterThan(frames);
  } finally {
    await fhirServer('start');
  }

  // Back up: the worker stores the reading and the doctor's panel shows it.
  await expect
    .poll(async () => (await db.fhirWrite.findMany({ where: { patientId: scenario.patient.id }, select: { status: true } })).map((w) => w.status), {
      timeout: 90_000,
    })
    .toEqual(['STORED', 'STORED']);
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(latestBp).toContainText('181/102 mmHg');
  const { resources } = await gateway.search<fhir4.Observation>('Observation', {
    patient: `Patient/${fhirPatientId}`,
    code: 'http://loinc.org|85354-9',
    _count: 1000,
  });
  expect(resources.filter((o) => o.identifier?.length)).toHaveLength(2);

  expect(patientErrors).toEqual([]);
  // While FHIR was down the doctor's chart request failed with 503; nothing else may fail.
  expect(doctorErrors.filter((e) => !/503|Service Unavailable/.test(e))).toEqual([]);
});
