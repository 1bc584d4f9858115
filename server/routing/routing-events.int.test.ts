import { describe, expect, it } from 'vitest';
import type { Principal } from '@/server/auth/session-types';
import { addVisit, createVisitScenario, patientPrincipal } from '@/server/testing/factories';
import { deskState, ownDesk, watchDesk } from './desk-view';
import { queueLineReadCount, waitingStatus, watchWaitingStatus, type WaitingStatus } from './waiting-room-status';
import pg from 'pg';
import { CLINIC_VIEW_INTERVAL_MS, ROUTING_CHANNEL, watchRouting } from './routing-events';
import { acceptOffer } from './offers';
import { completeTask } from './task-completion';
import { enqueueForAppointment } from './patient-queue';
import { setPresence } from './presence';

describe('live routing views over LISTEN/NOTIFY (real PostgreSQL)', () => {
  it('pushes every change to a watcher without waiting for its idle re-read', async () => {
    const s = await createVisitScenario();
    const doctor: Principal = { kind: 'staff', id: s.doctor.id, name: s.doctor.name, role: 'CLINICIAN', clinicId: s.clinic.id };
    const abort = new AbortController();
    // An idle re-read far beyond the test timeout: only notifications can move this watcher.
    const views = watchRouting({ clinicId: s.clinic.id, read: () => deskState(doctor), idleMs: 120_000, signal: abort.signal });

    expect((await views.next()).value?.board).toHaveLength(0);
    const latencies: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const visit = n === 1 ? s : await addVisit(s.clinic.id, s.doctor.id);
      const started = performance.now();
      const next = views.next();
      await enqueueForAppointment(patientPrincipal(visit));
      expect((await next).value?.board).toHaveLength(n);
      latencies.push(Math.round(performance.now() - started));
    }
    console.info(`change-to-view latency (ms, including the enqueue itself): ${latencies.join(', ')}`);
    abort.abort();
    await views.return(undefined);
  }, 20_000);

  it('shows a desk change carried by its notification exactly as a fresh read shows it', async () => {
    const s = await createVisitScenario();
    const doctor: Principal = { kind: 'staff', id: s.doctor.id, name: s.doctor.name, role: 'CLINICIAN', clinicId: s.clinic.id };
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    const carried: string[] = [];
    // This listener is a connection of its own: PostgreSQL delivers each notification to it and to the
    // desk's listener independently, so the desk can yield before this one has heard the same change.
    let heard: { count: number; resolve: () => void } | null = null;
    const carriedCount = (count: number) => (carried.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (heard = { count, resolve })));
    listener.on('notification', ({ payload }) => {
      const own = payload?.startsWith('{') ? (JSON.parse(payload) as { own?: Record<string, unknown> | null }).own : null;
      if (own?.u === s.doctor.id)
        carried.push(
          Object.keys(own)
            .filter((k) => k !== 'u')
            .sort()
            .join('+'),
        );
      if (heard && carried.length >= heard.count) heard.resolve();
    });
    await listener.connect();
    await listener.query(`LISTEN ${ROUTING_CHANNEL}`);
    const abort = new AbortController();
    // No idle re-read within the test: each step below is seen through its notification alone.
    const desk = watchDesk(doctor, { idleMs: 120_000, signal: abort.signal });
    const own = async () => {
      const view = (await desk.next()).value!;
      return { presence: view.presence, offer: view.offer, current: view.current };
    };
    expect((await own()).presence.state).toBe('OFFLINE');

    let next = own();
    await setPresence(doctor, 'AVAILABLE');
    const available = await next;
    expect(available.presence.state).toBe('AVAILABLE');
    expect(available).toEqual(await ownDesk(doctor));

    next = own();
    await enqueueForAppointment(patientPrincipal(s));
    const offered = await next;
    expect(offered.offer).toMatchObject({ appointmentId: s.appointment.id, patientName: expect.any(String) });
    expect(offered).toEqual(await ownDesk(doctor));

    next = own();
    await acceptOffer(doctor, offered.offer!.id);
    const busy = await next;
    expect(busy).toMatchObject({ presence: { state: 'BUSY' }, offer: null, current: { appointmentId: s.appointment.id } });
    expect(busy).toEqual(await ownDesk(doctor));

    next = own();
    await completeTask(doctor, s.appointment.id);
    const wrapUp = await next;
    expect(wrapUp).toMatchObject({ presence: { state: 'WRAP_UP', wrapUpUntil: expect.any(Date) }, current: null });
    expect(wrapUp).toEqual(await ownDesk(doctor));

    // Each of the four changes carried the doctor's new parts (so open desks needed no read).
    await carriedCount(4);
    expect(carried).toEqual(['presence', 'offer', 'current+offer+presence', 'current+presence']);
    abort.abort();
    await desk.return(undefined);
    await listener.end();
  }, 20_000);

  it('moves every waiting room up when the first patient is served, from one shared read of the line per change', async () => {
    const s = await createVisitScenario({ queue: { preferredClinicianSeconds: 0 } });
    const doctor: Principal = { kind: 'staff', id: s.doctor.id, name: s.doctor.name, role: 'CLINICIAN', clinicId: s.clinic.id };
    const visits = [s, ...(await Promise.all(Array.from({ length: 5 }, () => addVisit(s.clinic.id, s.doctor.id))))];
    const patients = visits.map((v) => patientPrincipal(v));
    for (const patient of patients) await enqueueForAppointment(patient);

    const abort = new AbortController();
    const rooms = patients.map((p) => watchWaitingStatus(p, { idleMs: 120_000, signal: abort.signal }));
    const latest: WaitingStatus[] = await Promise.all(rooms.map(async (room) => (await room.next()).value as WaitingStatus));
    expect(latest.map((v) => (v.state === 'WAITING' ? v.position : v.state))).toEqual([1, 2, 3, 4, 5, 6]);

    // Keep every room reading until the test ends; record what each shows.
    const pumps = rooms.map(async (room, i) => {
      for await (const view of room) latest[i] = view;
    });
    // Let the notifications of the enqueues above pass (clinic views wake at most every interval).
    await new Promise((r) => setTimeout(r, 2 * CLINIC_VIEW_INTERVAL_MS));
    const readsBefore = queueLineReadCount();
    await setPresence(doctor, 'AVAILABLE');
    const offer = (await ownDesk(doctor)).offer!;
    await acceptOffer(doctor, offer.id);
    const positions = () => latest.map((v) => (v.state === 'WAITING' ? v.position : v.state));
    const deadline = Date.now() + 5_000;
    while (JSON.stringify(positions()) !== JSON.stringify(['ASSIGNED', 1, 2, 3, 4, 5]) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Two changes (the offer, the accept) seen by six rooms: read per room, that would be at least 12.
    const reads = queueLineReadCount() - readsBefore;
    expect(positions()).toEqual(['ASSIGNED', 1, 2, 3, 4, 5]);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(4);
    // What the rooms show is what a fresh read of each patient's status gives.
    expect(latest).toEqual(await Promise.all(patients.map((p) => waitingStatus(p))));
    abort.abort();
    await Promise.all(pumps);
  }, 20_000);
});
