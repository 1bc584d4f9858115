import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createClinic, createStaff, staffPrincipal } from '@/server/testing/factories';
import { phoneSettingsInput } from '@/server/shared/schemas/phone';
import { sip } from './index';
import { phoneLineForAdmin, savePhoneLine } from './phone-line-service';
import { provisionedNames, reconcilePhoneLines } from './provisioning';

const number = () =>
  `+86572${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;

async function adminOfNewClinic() {
  const clinic = await createClinic();
  return { clinic, admin: staffPrincipal(await createStaff(clinic.id, 'ADMIN')) };
}

/** What LiveKit SIP holds under this clinic's names. */
async function provisioned(clinicId: string) {
  const names = provisionedNames(clinicId);
  const [inbound, rules, outbound] = await Promise.all([sip().listInboundTrunks(), sip().listDispatchRules(), sip().listOutboundTrunks()]);
  return {
    inbound: inbound.filter((t) => t.name === names.inbound).map((t) => t.id),
    rules: rules.filter((r) => r.name === names.rule).map((r) => r.id),
    outbound: outbound.filter((t) => t.name === names.outbound).map((t) => t.id),
  };
}

describe("a clinic's phone line in LiveKit SIP (the test stack's)", () => {
  it('is provisioned on save, and reconciling again (a restart) keeps the same trunk and rule', async () => {
    const { clinic, admin } = await adminOfNewClinic();
    const input = phoneSettingsInput.parse({
      numbers: [number()],
      allowedAddresses: ['127.0.0.1/32'],
      inboundUsername: 'clinic-line',
      inboundPassword: 'a-long-secret-1',
      outboundAddress: '127.0.0.1:5099',
      outboundNumber: '+8657100000001',
      outboundUsername: null,
      outboundPassword: null,
    });
    const saved = await savePhoneLine(sip(), admin, input);
    expect(saved).toMatchObject({ applied: true, hasInboundPassword: true, provisioned: { inbound: true, dispatchRule: true, outbound: true } });
    expect(JSON.stringify(saved)).not.toContain('a-long-secret-1');
    const first = await provisioned(clinic.id);
    expect([first.inbound.length, first.rules.length, first.outbound.length]).toEqual([1, 1, 1]);

    await reconcilePhoneLines(sip());
    await reconcilePhoneLines(sip(), clinic.id);
    expect(await provisioned(clinic.id)).toEqual(first);

    // Saved again with the password left blank: kept, and nothing in LiveKit changes.
    await savePhoneLine(sip(), admin, { ...input, inboundPassword: null });
    expect((await db.clinicPhone.findUniqueOrThrow({ where: { clinicId: clinic.id } })).inboundPassword).toBe('a-long-secret-1');
    expect(await provisioned(clinic.id)).toEqual(first);
  });

  it('brings back a dispatch rule removed by hand, and replaces the trunk when the numbers change', async () => {
    const { clinic, admin } = await adminOfNewClinic();
    const input = phoneSettingsInput.parse({ numbers: [number()], allowedAddresses: ['10.0.0.0/8'] });
    await savePhoneLine(sip(), admin, input);
    const before = await provisioned(clinic.id);
    await sip().deleteDispatchRule(before.rules[0]!);
    await reconcilePhoneLines(sip(), clinic.id);
    const after = await provisioned(clinic.id);
    expect(after.rules).toHaveLength(1);
    expect(after.rules[0]).not.toBe(before.rules[0]);
    expect(after.inbound).toEqual(before.inbound);

    await savePhoneLine(sip(), admin, { ...input, numbers: [number()] });
    const changed = await provisioned(clinic.id);
    expect(changed.inbound).toHaveLength(1);
    expect(changed.inbound[0]).not.toBe(before.inbound[0]);
    expect(changed.rules).toHaveLength(1);

    // No numbers: no line at all.
    await savePhoneLine(sip(), admin, { ...input, numbers: [] });
    expect(await provisioned(clinic.id)).toEqual({ inbound: [], rules: [], outbound: [] });
    expect((await phoneLineForAdmin(admin)).provisioned).toMatchObject({ inbound: false, dispatchRule: false });
  });

  it('refuses bad numbers, addresses and credentials with the field at fault, and a user name without any password', async () => {
    const refused = (value: unknown) => {
      const result = phoneSettingsInput.safeParse(value);
      return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    };
    const base = { numbers: [number()], allowedAddresses: ['127.0.0.1'] };
    expect(refused({ ...base, numbers: ['057188880000'] })).toEqual(['numbers.0']);
    expect(refused({ ...base, numbers: [base.numbers[0], base.numbers[0]] })).toEqual(['numbers.1']);
    expect(refused({ ...base, allowedAddresses: ['300.1.1.1'] })).toEqual(['allowedAddresses.0']);
    expect(refused({ ...base, allowedAddresses: ['10.0.0.0/33'] })).toEqual(['allowedAddresses.0']);
    expect(refused({ numbers: base.numbers, allowedAddresses: [] })).toEqual(['allowedAddresses']);
    expect(refused({ ...base, inboundUsername: 'has space', inboundPassword: 'long-enough-123' })).toEqual(['inboundUsername']);
    expect(refused({ ...base, inboundUsername: 'line', inboundPassword: 'short' })).toEqual(['inboundPassword']);
    expect(refused({ ...base, outboundAddress: 'sip.carrier.example' })).toEqual(['outboundNumber']);

    const { clinic, admin } = await adminOfNewClinic();
    await expect(savePhoneLine(sip(), admin, phoneSettingsInput.parse({ ...base, inboundUsername: 'line' }))).rejects.toMatchObject({
      reason: 'phonePasswordMissing',
    });
    expect(await db.clinicPhone.count({ where: { clinicId: clinic.id } })).toBe(0);
    const clinician = staffPrincipal(await createStaff(clinic.id, 'CLINICIAN'));
    await expect(savePhoneLine(sip(), clinician, phoneSettingsInput.parse(base))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
