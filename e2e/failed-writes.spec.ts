import { createStaff, createVisitScenario } from '@/server/testing/factories';
import { db, expect, newDesktopPage, signInAsStaff, test, watchConsoleErrors } from './fixtures';
import { en } from './strings';

test('an admin sees a reading the record system refused, with its reason, and retries it', async ({ browser }) => {
  const s = await createVisitScenario();
  const admin = await createStaff(s.clinic.id, 'ADMIN');
  // As the outbox leaves a heart rate the FHIR server refused (its own words stay in lastError).
  const write = await db.fhirWrite.create({
    data: {
      kind: 'VITALS',
      clinicId: s.clinic.id,
      patientId: s.patient.id,
      appointmentId: s.appointment.id,
      enteredBy: `patient:${s.patient.id}`,
      payload: { kind: 'VITALS', observations: [{ resourceType: 'Observation', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] } }] },
      status: 'FAILED',
      attempts: 1,
      lastError: 'String must contain non-whitespace content (Observation.performer[0].display)',
      failureReason: 'fhirInvalid',
      failedAt: new Date(),
    },
  });
  const page = await newDesktopPage(browser);
  const errors = watchConsoleErrors(page, 'failed-writes');
  await signInAsStaff(page, admin.email, admin.password);
  await page.goto('/admin');
  await page.getByRole('link', { name: en.failedWrites.link }).click();
  await page.waitForURL('**/admin/failed-writes');

  const table = page.getByRole('table', { name: en.failedWrites.title });
  const row = table.getByRole('row').filter({ hasText: `${s.patient.familyName}${s.patient.givenName}` });
  await expect(row).toContainText(`${en.failedWrites.kinds.VITALS}: ${en.ehr.vitals.heartRate}`);
  await expect(row).toContainText(en.errors.fhirInvalid);
  await expect(page.getByText(/non-whitespace/)).toHaveCount(0);

  await row.getByRole('button', { name: en.failedWrites.retry }).click();
  await expect(page.getByRole('status').filter({ hasText: en.failedWrites.retried })).toBeVisible();
  await expect.poll(async () => await db.auditEvent.count({ where: { action: 'clinical.fhir-write-retried', subject: `FhirWrite/${write.id}` } })).toBe(1);
  expect(errors).toEqual([]);
});
