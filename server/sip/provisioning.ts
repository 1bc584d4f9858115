// A clinic's phone line in LiveKit SIP: an inbound trunk (its numbers, the carrier's addresses and credentials), a
// dispatch rule that gives each call a room of its own, and an outbound trunk. Reconciled from the ClinicPhone row,
// idempotently: each is found again by its name, kept when its fingerprint matches, replaced otherwise.
import { createHash } from 'node:crypto';
import { db } from '@/server/db';
import type { ClinicPhone } from '@/server/db/generated/client';
import type { ProvisionedSip, SipGateway } from './sip-gateway';

/** Rooms of phone calls start with this; the rest of the name is LiveKit's (caller number and a random part). */
export const PHONE_ROOM_PREFIX = 'phone-';

type Provisioning = Pick<
  SipGateway,
  | 'listInboundTrunks'
  | 'listOutboundTrunks'
  | 'listDispatchRules'
  | 'createInboundTrunk'
  | 'createOutboundTrunk'
  | 'createDispatchRule'
  | 'deleteTrunk'
  | 'deleteDispatchRule'
>;

export type ProvisionedLine = { inboundTrunkId: string | null; dispatchRuleId: string | null; outboundTrunkId: string | null };

export function provisionedNames(clinicId: string) {
  return { inbound: `revisit ${clinicId} inbound`, rule: `revisit ${clinicId} calls`, outbound: `revisit ${clinicId} outbound` };
}

function fingerprint(spec: unknown): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

function metadataOf(clinicId: string, print: string) {
  return JSON.stringify({ revisit: 'clinic-phone', clinicId, fingerprint: print });
}

function fingerprintOf(item: ProvisionedSip): string | null {
  try {
    return (JSON.parse(item.metadata) as { fingerprint?: string }).fingerprint ?? null;
  } catch {
    return null;
  }
}

/**
 * One named item made to match what is wanted: the one with the wanted fingerprint is kept and any other of that name
 * removed (a duplicate from an earlier crash, or the old version); created when none matches; all removed when
 * nothing is wanted.
 */
async function converge(
  existing: ProvisionedSip[],
  name: string,
  wanted: { print: string; create: (metadata: string) => Promise<string> } | null,
  clinicId: string,
  remove: (id: string) => Promise<void>,
): Promise<string | null> {
  const named = existing.filter((item) => item.name === name);
  const keep = wanted ? named.find((item) => fingerprintOf(item) === wanted.print) : undefined;
  for (const item of named) if (item !== keep) await remove(item.id);
  if (!wanted) return null;
  return keep?.id ?? wanted.create(metadataOf(clinicId, wanted.print));
}

/** Makes LiveKit SIP hold exactly this clinic's line; returns the ids it now has. */
export async function provisionLine(gateway: Provisioning, line: ClinicPhone): Promise<ProvisionedLine> {
  const names = provisionedNames(line.clinicId);
  const [inboundTrunks, outboundTrunks, rules] = await Promise.all([gateway.listInboundTrunks(), gateway.listOutboundTrunks(), gateway.listDispatchRules()]);

  const inboundSpec =
    line.numbers.length > 0
      ? {
          numbers: [...line.numbers].sort(),
          allowedAddresses: [...line.allowedAddresses].sort(),
          authUsername: line.inboundUsername ?? undefined,
          authPassword: line.inboundPassword ?? undefined,
        }
      : null;
  const inboundTrunkId = await converge(
    inboundTrunks,
    names.inbound,
    inboundSpec && { print: fingerprint(inboundSpec), create: (metadata) => gateway.createInboundTrunk({ name: names.inbound, metadata, ...inboundSpec }) },
    line.clinicId,
    (id) => gateway.deleteTrunk(id),
  );

  const ruleSpec = inboundTrunkId ? { trunkId: inboundTrunkId, roomPrefix: PHONE_ROOM_PREFIX } : null;
  const dispatchRuleId = await converge(
    rules,
    names.rule,
    ruleSpec && { print: fingerprint(ruleSpec), create: (metadata) => gateway.createDispatchRule({ name: names.rule, metadata, ...ruleSpec }) },
    line.clinicId,
    (id) => gateway.deleteDispatchRule(id),
  );

  const outboundSpec =
    line.outboundAddress && line.outboundNumber
      ? {
          address: line.outboundAddress,
          numbers: [line.outboundNumber],
          authUsername: line.outboundUsername ?? undefined,
          authPassword: line.outboundPassword ?? undefined,
        }
      : null;
  const outboundTrunkId = await converge(
    outboundTrunks,
    names.outbound,
    outboundSpec && {
      print: fingerprint(outboundSpec),
      create: (metadata) => gateway.createOutboundTrunk({ name: names.outbound, metadata, ...outboundSpec }),
    },
    line.clinicId,
    (id) => gateway.deleteTrunk(id),
  );
  return { inboundTrunkId, dispatchRuleId, outboundTrunkId };
}

/**
 * Reconciles every clinic's line (at start-up, after a save, and now and then, so a rule removed by hand comes
 * back). One web instance at a time: two reconciling at once could each create what the other has not listed yet.
 */
export async function reconcilePhoneLines(gateway: Provisioning, clinicId?: string): Promise<Map<string, ProvisionedLine>> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('revisit:sip-reconcile'))`;
      const lines = await tx.clinicPhone.findMany({ where: clinicId ? { clinicId } : {} });
      const result = new Map<string, ProvisionedLine>();
      for (const line of lines) {
        const ids = await provisionLine(gateway, line);
        await tx.clinicPhone.update({ where: { clinicId: line.clinicId }, data: { ...ids, reconciledAt: new Date() } });
        result.set(line.clinicId, ids);
      }
      return result;
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
}
