// A clinic's phone line as its administrators see and change it. Passwords are written, never read back: a blank
// password keeps the saved one. Every save is provisioned in LiveKit SIP at once (reconcilePhoneLines).
import { requireAdmin } from '@/server/auth/guards';
import type { Principal } from '@/server/auth/session-types';
import { recordAudit } from '@/server/audit/audit-service';
import { db } from '@/server/db';
import { env } from '@/server/env';
import { invalid } from '@/server/errors';
import type { PhoneSettingsInput } from '@/server/shared/schemas/phone';
import { reconcilePhoneLines } from './provisioning';

type Reconciler = Parameters<typeof reconcilePhoneLines>[0];

export async function phoneLineForAdmin(principal: Principal) {
  const admin = requireAdmin(principal, 'Only clinic administrators manage the phone line');
  const line = await db.clinicPhone.findUnique({ where: { clinicId: admin.clinicId } });
  const settings = env();
  return {
    numbers: line?.numbers ?? [],
    allowedAddresses: line?.allowedAddresses ?? [],
    inboundUsername: line?.inboundUsername ?? null,
    hasInboundPassword: Boolean(line?.inboundPassword),
    outboundAddress: line?.outboundAddress ?? null,
    outboundNumber: line?.outboundNumber ?? null,
    outboundUsername: line?.outboundUsername ?? null,
    hasOutboundPassword: Boolean(line?.outboundPassword),
    sipEnabled: settings.SIP_ENABLED === '1',
    /** Where this machine's SIP bridge takes calls (what a carrier, or a softphone, sends the INVITE to). */
    sipPort: settings.SIP_PORT,
    provisioned: line?.reconciledAt
      ? {
          inbound: Boolean(line.inboundTrunkId),
          dispatchRule: Boolean(line.dispatchRuleId),
          outbound: Boolean(line.outboundTrunkId),
          at: line.reconciledAt.toISOString(),
        }
      : null,
  };
}

/** Saves the line and provisions it; a line saved while LiveKit SIP is unreachable is provisioned at the next start. */
export async function savePhoneLine(gateway: Reconciler, principal: Principal, input: PhoneSettingsInput) {
  const admin = requireAdmin(principal, 'Only clinic administrators manage the phone line');
  const stored = await db.clinicPhone.findUnique({ where: { clinicId: admin.clinicId } });
  const password = (given: string | null, username: string | null, storedUsername: string | null | undefined, storedPassword: string | null | undefined) => {
    if (!username) return null;
    if (given) return given;
    // A blank password keeps the saved one, for the same user name only.
    if (storedPassword && storedUsername === username) return storedPassword;
    throw invalid('Give the password for this SIP user name', 'phonePasswordMissing');
  };
  const data = {
    numbers: input.numbers,
    allowedAddresses: input.allowedAddresses,
    inboundUsername: input.inboundUsername,
    inboundPassword: password(input.inboundPassword, input.inboundUsername, stored?.inboundUsername, stored?.inboundPassword),
    outboundAddress: input.outboundAddress,
    outboundNumber: input.outboundNumber,
    outboundUsername: input.outboundUsername,
    outboundPassword: password(input.outboundPassword, input.outboundUsername, stored?.outboundUsername, stored?.outboundPassword),
  };
  await db.$transaction(async (tx) => {
    await tx.clinicPhone.upsert({ where: { clinicId: admin.clinicId }, create: { clinicId: admin.clinicId, ...data }, update: data });
    await recordAudit(tx, {
      actor: `staff:${admin.id}`,
      action: 'admin.phone-line-saved',
      clinicId: admin.clinicId,
      subject: `ClinicPhone/${admin.clinicId}`,
      detail: { numbers: input.numbers.length, allowedAddresses: input.allowedAddresses.length, outbound: Boolean(input.outboundAddress) },
    });
  });
  let applied = false;
  if (env().SIP_ENABLED === '1') {
    applied = await reconcilePhoneLines(gateway, admin.clinicId).then(
      () => true,
      (error) => {
        console.error(`[sip] the phone line of clinic ${admin.clinicId} was saved but not provisioned: ${(error as Error).message}`);
        return false;
      },
    );
  }
  return { ...(await phoneLineForAdmin(admin)), applied };
}
