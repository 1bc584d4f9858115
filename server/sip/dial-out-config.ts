/** Whether clinicians can dial a phone number into a consult, and why not when they cannot. */
export type DialOutAvailability = { enabled: true; trunkId: string } | { enabled: false; reason: 'noTrunk' };

export function dialOutAvailability(settings: { SIP_OUTBOUND_TRUNK_ID?: string }): DialOutAvailability {
  const trunkId = settings.SIP_OUTBOUND_TRUNK_ID?.trim();
  return trunkId ? { enabled: true, trunkId } : { enabled: false, reason: 'noTrunk' };
}
