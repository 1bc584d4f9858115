import { db, expect, newDesktopPage, signInAsStaff, test, watchConsoleErrors } from './fixtures';
import { en, format } from './strings';

test('a clinician marks a visit the patient never came to as a no-show from today’s list', async ({ browser, scenario }) => {
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'clinician');
  const name = `${scenario.patient.familyName}${scenario.patient.givenName}`;

  await signInAsStaff(page, scenario.doctor.email, scenario.doctor.password);
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(en.appointmentStatus.SCHEDULED);
  await row.getByRole('button', { name: format(en.staffHome.noShowFor, { name }) }).click();
  // A second press confirms; keeping the visit is one press away.
  const confirm = row.getByRole('group', { name: format(en.staffHome.noShowFor, { name }) });
  await confirm.getByRole('button', { name: en.staffHome.noShowConfirm }).click();

  await expect(row).toContainText(en.appointmentStatus.NO_SHOW);
  await expect(row.getByRole('link', { name: new RegExp(en.staffHome.open) })).toHaveCount(0);
  expect((await db.appointment.findUniqueOrThrow({ where: { id: scenario.appointment.id } })).status).toBe('NO_SHOW');
  expect(errors).toEqual([]);
});
