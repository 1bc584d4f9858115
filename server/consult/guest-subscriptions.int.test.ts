import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { db } from '@/server/db';
import { acceptOffer } from '@/server/routing/offers';
import { enqueueForAppointment } from '@/server/routing/patient-queue';
import { setPresence } from '@/server/routing/presence';
import { createVisitScenario, patientPrincipal, staffPrincipal } from '@/server/testing/factories';
import { checkGuestInvite } from './invite-service';

const caller = (principal: Principal, signal?: AbortSignal) => createCaller(createContext(principal), { signal });

/** The next value of a live view, or its error; a view that says nothing for `ms` is a failure of this test. */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the live view said nothing for ${ms} ms`)), ms);
  });
  return Promise.race([iterator.next(), silent]).finally(() => clearTimeout(timer));
}

describe('a guest in a consult (real PostgreSQL and its notifications)', () => {
  it('sees their live views end with the refusal when they are removed', async () => {
    const s = await createVisitScenario();
    await enqueueForAppointment(patientPrincipal(s));
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const gp = caller(staffPrincipal(s.doctor));
    const invited = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'FAMILY', displayName: 'Zhang Wei' });
    const check = await checkGuestInvite({ token: invited.url!.slice(invited.url!.lastIndexOf('/') + 1), name: 'Zhang Wei', code: invited.code! });
    if (!check.ok) throw new Error(`guest check refused: ${check.reason}`);
    const guest: Principal = {
      kind: 'guest',
      id: check.inviteId,
      name: check.name,
      clinicId: check.clinicId,
      appointmentId: check.appointmentId,
      guestRole: check.role,
    };

    const controller = new AbortController();
    const gpView = (await caller(staffPrincipal(s.doctor), controller.signal).multiparty.watchSpecialistRequests({ appointmentId: s.appointment.id }))[
      Symbol.asyncIterator
    ]();
    const guestView = (await caller(guest, controller.signal).multiparty.watchSpecialistRequests({ appointmentId: s.appointment.id }))[Symbol.asyncIterator]();
    try {
      expect((await nextWithin(guestView, 10_000)).value).toEqual([]);
      expect((await nextWithin(gpView, 10_000)).value).toEqual([]);

      await gp.multiparty.revokeInvite({ inviteId: check.inviteId });
      await expect(nextWithin(guestView, 10_000)).rejects.toMatchObject({ code: 'FORBIDDEN', cause: { reason: 'guestRemoved' } });

      // The clinician's view goes on: a specialist request still reaches it.
      await gp.multiparty.requestSpecialist({ appointmentId: s.appointment.id, department: 'cardiology', urgency: 'ROUTINE' });
      expect((await nextWithin(gpView, 10_000)).value).toHaveLength(1);
    } finally {
      controller.abort();
      await gpView.return?.();
      await guestView.return?.().catch(() => {});
    }
  });

  it('sees the call, never a shared panel or the chart: the clinical views refuse guests on purpose', async () => {
    const s = await createVisitScenario();
    await enqueueForAppointment(patientPrincipal(s));
    await setPresence(staffPrincipal(s.doctor), 'AVAILABLE');
    await acceptOffer(staffPrincipal(s.doctor), (await db.offer.findFirstOrThrow({ where: { clinicianId: s.doctor.id, state: 'PENDING' } })).id);
    const gp = caller(staffPrincipal(s.doctor));
    const invited = await gp.multiparty.createInvite({ appointmentId: s.appointment.id, role: 'INTERPRETER', displayName: 'Lin Hua' });
    const check = await checkGuestInvite({ token: invited.url!.slice(invited.url!.lastIndexOf('/') + 1), name: 'Lin Hua', code: invited.code! });
    if (!check.ok) throw new Error(`guest check refused: ${check.reason}`);
    const guest = caller({
      kind: 'guest',
      id: check.inviteId,
      name: check.name,
      clinicId: check.clinicId,
      appointmentId: check.appointmentId,
      guestRole: check.role,
    });

    const shared = await gp.clinical.share({ appointmentId: s.appointment.id, kind: 'carePlan', note: 'Walk 30 minutes a day.' });
    // The patient sees the panel shared with them...
    expect(await caller(patientPrincipal(s)).clinical.currentShare({ appointmentId: s.appointment.id })).toMatchObject({ shareId: shared.shareId });
    // ...the guest in the same call sees neither the share nor the chart, while the room lets them in.
    await expect(guest.multiparty.access({ appointmentId: s.appointment.id })).resolves.toMatchObject({ partyRole: 'INTERPRETER' });
    await expect(guest.clinical.currentShare({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(guest.clinical.sharedPanel({ appointmentId: s.appointment.id, shareId: shared.shareId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(guest.clinical.chart({ appointmentId: s.appointment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
