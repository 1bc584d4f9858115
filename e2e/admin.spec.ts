import { createClinic, createStaff } from '@/server/testing/factories';
import { appAlert, db, expect, newDesktopPage, signInAsStaff, test, watchConsoleErrors } from './fixtures';
import { en, format } from './strings';

test('an admin sees the wallboard and changes a queue setting; an invalid value is refused and not saved', async ({ browser }) => {
  const clinic = await createClinic();
  const admin = await createStaff(clinic.id, 'ADMIN');
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'admin');

  await signInAsStaff(page, admin.email, admin.password);
  await page.getByRole('link', { name: 'Wallboard and queues' }).click();
  await page.waitForURL('**/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Wallboard and queues' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to today' })).toHaveAttribute('href', '/staff');

  // A fresh clinic: nobody waiting, nothing answered yet.
  const tile = (name: string) => page.getByRole('group', { name }).locator('.value');
  await expect(tile('Waiting now')).toHaveText('0');
  await expect(tile('Longest wait')).toHaveText('0:00');
  await expect(tile('Average speed of answer')).toHaveText('—');
  await expect(tile('Service level')).toHaveText('—');
  await expect(tile('Abandon rate')).toHaveText('—');
  await expect(page.getByRole('table', { name: 'Today by hour' }).getByRole('row')).toHaveCount(25);

  const { name: queueName } = await db.queue.findUniqueOrThrow({ where: { id: clinic.followUpQueueId } });
  const form = page.getByRole('form', { name: queueName, exact: true });
  const offerTimeout = form.getByLabel('Offer timeout (seconds)');
  await expect(offerTimeout).toHaveValue('20');
  await offerTimeout.fill('30');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved.');
  await expect.poll(async () => (await db.queue.findUniqueOrThrow({ where: { id: clinic.followUpQueueId } })).offerTimeoutSeconds).toBe(30);

  await page.reload();
  await expect(offerTimeout).toHaveValue('30');
  expect(errors).toEqual([]);

  // Too short an offer timeout: the field says what is allowed, and nothing changes.
  await offerTimeout.fill('1');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(appAlert(page)).toHaveText('Some settings are not valid. Check the marked fields.');
  await expect(offerTimeout).toHaveAttribute('aria-invalid', 'true');
  await expect(offerTimeout).toHaveAccessibleDescription('Enter a whole number from 5 to 120.');
  await expect(form.getByRole('status')).toHaveText('');
  const queue = await db.queue.findUniqueOrThrow({ where: { id: clinic.followUpQueueId } });
  expect(queue.offerTimeoutSeconds).toBe(30);
  await page.reload();
  await expect(offerTimeout).toHaveValue('30');
  // The browser logs the refused request itself as a failed load; nothing else may be logged.
  expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/trpc\/queues\.update/)]);
});

test('a clinician opening /admin is refused, and a signed-out visitor is sent to sign in', async ({ browser }) => {
  const clinic = await createClinic();
  const clinician = await createStaff(clinic.id, 'CLINICIAN');
  const page = await newDesktopPage(browser);
  await signInAsStaff(page, clinician.email, clinician.password);
  await expect(page.getByRole('link', { name: en.staffHome.admin })).toHaveCount(0);
  await page.goto('/admin');
  await expect(appAlert(page)).toHaveText('You do not have access to this page.');
  await expect(page.getByRole('heading', { name: en.wallboard.title })).toHaveCount(0);
  await expect(page.getByLabel(en.queues.offerTimeout)).toHaveCount(0);

  const visitor = await newDesktopPage(browser);
  await visitor.goto('/admin');
  await visitor.waitForURL('**/signin');
});

test('an admin changes the call menu: a key used twice is refused at its field and nothing is saved, then the fixed menu is live', async ({ browser }) => {
  const clinic = await createClinic();
  const admin = await createStaff(clinic.id, 'ADMIN');
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'admin');
  await signInAsStaff(page, admin.email, admin.password);
  await page.goto('/admin');

  const editor = page.getByRole('region', { name: en.ivrAdmin.title });
  await expect(editor.getByText(en.ivrAdmin.liveDefault)).toBeVisible();
  const firstMenu = editor.getByRole('group', { name: /^Menu 1:/ });
  const secondOption = firstMenu.getByRole('group', { name: 'Option 2' });
  const key = secondOption.getByLabel(en.ivrAdmin.digit, { exact: true });
  await key.selectOption('1');
  await editor.getByRole('button', { name: en.ivrAdmin.save }).click();
  await expect(editor.getByRole('alert')).toContainText(en.ivrAdmin.notSaved);
  await expect(key).toHaveAttribute('aria-invalid', 'true');
  expect(await db.ivrMenu.count({ where: { clinicId: clinic.id } })).toBe(0);

  await key.selectOption('2');
  await firstMenu.getByLabel(en.ivrAdmin.titleEn).fill('Riverside follow-up');
  await editor.getByRole('button', { name: en.ivrAdmin.save }).click();
  await expect(editor.getByRole('status').filter({ hasText: format(en.ivrAdmin.saved, { version: 1 }) })).toBeVisible();
  const saved = await db.ivrMenu.findFirstOrThrow({ where: { clinicId: clinic.id } });
  expect(saved.version).toBe(1);
  expect((saved.tree as { nodes: { title: { en: string } }[] }).nodes[0]!.title.en).toBe('Riverside follow-up');
  // The browser logs the refused save's 400 itself; nothing else went wrong.
  expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/trpc\/ivrMenu\.save/)]);
});

test('an admin sets up the phone line: a number without its country code is refused at its field, then the line is saved and provisioned', async ({
  browser,
}) => {
  const clinic = await createClinic();
  const admin = await createStaff(clinic.id, 'ADMIN');
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'admin');
  await signInAsStaff(page, admin.email, admin.password);
  await page.goto('/admin');

  const line = page.getByRole('region', { name: en.phoneLine.title });
  await expect(line.getByText(en.phoneLine.statusNone)).toBeVisible();
  const numbers = line.getByLabel(en.phoneLine.numbers);
  await numbers.fill('057188880000');
  await line.getByLabel(en.phoneLine.allowedAddresses).fill('127.0.0.1/32');
  await line.getByRole('button', { name: en.phoneLine.save }).click();
  await expect(line.getByRole('alert')).toContainText(en.phoneLine.invalid);
  await expect(numbers).toHaveAttribute('aria-invalid', 'true');
  await expect(line.getByText(en.phoneLine.errorNumbers)).toBeVisible();
  expect(await db.clinicPhone.count({ where: { clinicId: clinic.id } })).toBe(0);

  const number = `+86573${String(Date.now()).slice(-8)}`;
  await numbers.fill(number);
  await line.getByLabel(en.phoneLine.inboundUsername).fill('carrier');
  await line.getByLabel(en.phoneLine.inboundPassword).fill('a-long-secret-42');
  await line.getByRole('button', { name: en.phoneLine.save }).click();
  await expect(line.getByRole('status').filter({ hasText: en.phoneLine.saved })).toBeVisible();
  await expect(line.getByText(en.phoneLine.passwordSaved)).toBeVisible();
  await expect(line.getByLabel(en.phoneLine.inboundPassword)).toHaveValue('');
  const saved = await db.clinicPhone.findUniqueOrThrow({ where: { clinicId: clinic.id } });
  expect(saved).toMatchObject({ numbers: [number], allowedAddresses: ['127.0.0.1/32'], inboundUsername: 'carrier' });
  expect(saved.inboundTrunkId).toMatch(/^ST_/);
  expect(saved.dispatchRuleId).toMatch(/^SDR_/);
  expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/trpc\/phoneLine\.save/)]);
});
