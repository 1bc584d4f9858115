/** Whether clinicians can dial a phone number into a consult, and why not when they cannot. */
export type DialOutAvailability = { enabled: true; trunkId: string } | { enabled: false; reason: 'noTrunk' };

/** The clinic's own outbound trunk (its phone line, provisioned) comes first; the deployment's is the fallback. */
export function dialOutAvailability(settings: { SIP_OUTBOUND_TRUNK_ID?: string }, clinicTrunkId?: string | null): DialOutAvailability {
  const trunkId = clinicTrunkId?.trim() || settings.SIP_OUTBOUND_TRUNK_ID?.trim();
  return trunkId ? { enabled: true, trunkId } : { enabled: false, reason: 'noTrunk' };
}
