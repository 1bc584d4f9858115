import { readFileSync } from 'node:fs';
import { freePort } from '@/scripts/lib/proc.mjs';
import { sip } from '@/server/sip';
import { reconcilePhoneLines } from '@/server/sip/provisioning';
import { placePhoneCall } from '@/server/sip/testing/sipp-phone';
import {
  acceptConsent,
  db,
  enterBirthDate,
  expect,
  newDesktopPage,
  newPhonePage,
  remoteAudioLevel,
  remoteVideoWidth,
  signInAsStaff,
  skipHomeVitals,
  test,
  waitForPatientConsult,
  watchConsoleErrors,
} from './fixtures';
import { en, zh } from './strings';

test('a phone caller keys through the menu, the doctor takes the call in the browser and both hear each other, and a texted link moves the patient onto video in the same room', async ({
  browser,
  scenario,
}) => {
  test.setTimeout(150_000);
  const clinicNumber = `+86574${String(Date.now()).slice(-8)}`;
  await db.clinicPhone.create({ data: { clinicId: scenario.clinic.id, numbers: [clinicNumber], allowedAddresses: ['127.0.0.1/32'] } });
  await reconcilePhoneLines(sip(), scenario.clinic.id);

  const doctor = await newDesktopPage(browser);
  const errors = watchConsoleErrors(doctor, 'doctor');
  await signInAsStaff(doctor, scenario.doctor.email, scenario.doctor.password);
  await doctor.getByRole('button', { name: en.desk.goAvailable }).click();

  // The patient calls from their own number: 1 (a follow-up), 1 (routine), then talks until the clinic hangs up.
  const phone = await placePhoneCall({
    sipPort: Number(process.env.SIP_PORT),
    from: scenario.patient.phone,
    to: clinicNumber,
    steps: [{ pauseMs: 2500 }, { keys: '11', gapMs: 1500 }, { speak: true }],
    hangUp: 'clinic',
    dir: `${process.env.MEDIA_CACHE_DIR}/../phone-e2e`,
    sippPort: await freePort(),
    mediaPort: await freePort(),
    timeoutSeconds: 140,
  });

  // The offer says it is a phone call, with the number masked; accepting opens the consult in the call's room.
  const offer = doctor.getByRole('alertdialog');
  await expect(offer).toContainText(`${scenario.patient.familyName}${scenario.patient.givenName}`, { timeout: 30_000 });
  await expect(offer).toContainText(`${en.desk.byPhone} +86 ••• ${scenario.patient.phone.slice(-4)}`);
  await offer.getByRole('button', { name: en.desk.accept }).click();
  const acceptedAt = Date.now();
  await doctor.waitForURL(`**/consult/${scenario.appointment.id}`);
  await expect.poll(() => remoteAudioLevel(doctor), { timeout: 30_000 }).toBeGreaterThan(0.01);
  // The doctor's fake microphone reaches the phone (RTP at the phone's own port, after the agent has left).
  await expect.poll(() => phone.loudestSince(acceptedAt + 2000), { timeout: 20_000 }).toBeGreaterThan(0.01);
  const session = await db.callSession.findFirstOrThrow({ where: { clinicId: scenario.clinic.id, channel: 'PHONE' } });

  // Step up: a text with a link to the calling number; opened on the phone, it joins the same room with camera.
  await doctor.getByRole('button', { name: en.multiparty.stepUpSend }).click();
  await expect(doctor.getByText(en.multiparty.stepUpSent)).toBeVisible();
  const sent = await expect
    .poll(async () => (await db.message.findFirst({ where: { appointmentId: scenario.appointment.id, kind: 'VIDEO_LINK' } }))?.status, { timeout: 20_000 })
    .toBe('SENT')
    .then(() => db.message.findFirstOrThrow({ where: { appointmentId: scenario.appointment.id, kind: 'VIDEO_LINK' } }));
  expect(sent.to).toBe(scenario.patient.phone);
  const text = readFileSync(process.env.WEB_LOG_FILE!, 'utf8')
    .split('\n')
    .find((line) => line.includes(`[sms:dev] ${sent.providerMessageId} `))!;
  const link = text.match(/https?:\/\/\S+\/v\/[A-Za-z0-9_-]{43}/)?.[0];
  expect(link, text).toBeDefined();

  const patient = await newPhonePage(browser);
  errors.push(...watchConsoleErrors(patient, 'patient'));
  await patient.goto(link!);
  await enterBirthDate(patient, scenario.birthDate);
  await acceptConsent(patient);
  await patient.getByRole('button', { name: zh.deviceCheck.continue }).click();
  await skipHomeVitals(patient);
  await waitForPatientConsult(patient);
  await expect.poll(() => remoteVideoWidth(doctor), { timeout: 30_000 }).toBeGreaterThan(0);

  // The phone leg is hung up by the clinic's side; the visit goes on, on one task, in the same room.
  const { code, output } = await phone.finished;
  expect(code, output).toBe(0);
  const tasks = await db.task.findMany({ where: { appointmentId: scenario.appointment.id } });
  expect(tasks.map((task) => [task.state, task.channel])).toEqual([['ASSIGNED', 'PHONE']]);
  expect((await db.appointment.findUniqueOrThrow({ where: { id: scenario.appointment.id } })).callRoom).toBe(session.room);
  expect(errors).toEqual([]);
});
