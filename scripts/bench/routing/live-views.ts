// The live views open during the drive: every clinician's desk (the generator the desk's tRPC
// subscription yields from, watchDesk) and, with BENCH_WAITING_ROOMS, patients' waiting rooms.
// "Offer visible" is the moment a clinician's desk view yields a state with their new offer: the
// value the browser would be sent. Nothing polls or sleeps.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { RoutingApp } from './app';
import { waitingPatientOf, type LoadedClinic } from './load';
import { log } from './log';

const OFFER_WAIT_LIMIT_MS = 30_000;
/** Longer than any run: no view wakes only because it was idle. */
const IDLE_MS = 60_000;

export type LiveViews = {
  /** Resolves with clinician `c`'s next new offer and the moment their desk view showed it. */
  offerVisible(c: number): Promise<{ offer: { id: string }; at: number }>;
  /** Desk views yielded so far (every desk). */
  deskViews(): number;
  /** Waiting-room statuses yielded so far (every room). */
  roomStatuses(): number;
  rooms: number;
  close(): Promise<void>;
};

export async function openLiveViews(app: RoutingApp, loaded: LoadedClinic, waitingRooms: number): Promise<LiveViews> {
  const { clinicians, principalOf } = loaded;
  const desks = clinicians.map(() => ({
    seen: new Set<string>(),
    waiter: null as ((offer: { id: string }, at: number) => void) | null,
    views: 0,
  }));
  let views = 0;
  const closeViews = new AbortController();
  // One signal closes every view here (in the app each subscription has its own).
  setMaxListeners(0, closeViews.signal);
  const deskLoops = clinicians.map(async (c, i) => {
    const desk = desks[i]!;
    for await (const view of app.watchDesk(principalOf(c), { idleMs: IDLE_MS, signal: closeViews.signal })) {
      views++;
      desk.views++;
      const offer = view.offer;
      if (offer && !desk.seen.has(offer.id) && desk.waiter) {
        desk.seen.add(offer.id);
        const resolve = desk.waiter;
        desk.waiter = null;
        resolve({ id: offer.id }, performance.now());
      }
    }
  });
  const opened = performance.now();
  while (desks.some((d) => d.views === 0)) await new Promise((r) => setTimeout(r, 50));
  log(`opened ${clinicians.length} desk views in ${Math.round(performance.now() - opened)} ms`);

  // Waiting rooms: patients spread over the whole line, so some are served during the drive.
  const rooms = waitingRooms
    ? (await app.db.task.findMany({ where: { state: 'WAITING' }, orderBy: { enqueuedAt: 'asc' }, select: { patientId: true, appointmentId: true } }))
        .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / waitingRooms)) === 0)
        .slice(0, waitingRooms)
    : [];
  const roomViews = rooms.map(() => 0);
  const roomLoops = rooms.map(async (room, i) => {
    const patient = waitingPatientOf(room, loaded.clinic.id);
    for await (const _status of app.watchWaitingStatus(patient, { idleMs: IDLE_MS, signal: closeViews.signal })) roomViews[i]!++;
  });
  if (rooms.length) {
    while (roomViews.some((n) => n === 0)) await new Promise((r) => setTimeout(r, 50));
    log(`opened ${rooms.length} waiting rooms`);
  }

  return {
    offerVisible(c) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no offer for ${clinicians[c]!.id} within ${OFFER_WAIT_LIMIT_MS / 1000} s`)), OFFER_WAIT_LIMIT_MS);
        desks[c]!.waiter = (offer, at) => {
          clearTimeout(timer);
          resolve({ offer, at });
        };
      });
    },
    deskViews: () => views,
    roomStatuses: () => roomViews.reduce((a, b) => a + b, 0),
    rooms: rooms.length,
    async close() {
      closeViews.abort();
      await Promise.all([...deskLoops, ...roomLoops]);
      await app.routingListener().close();
    },
  };
}
