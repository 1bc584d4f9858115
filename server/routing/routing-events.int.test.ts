import { describe, expect, it } from 'vitest';
import type { Principal } from '@/server/auth/session-types';
import { addVisit, createVisitScenario } from '@/server/testing/factories';
import { deskState } from './queue-status';
import { watchRouting } from './routing-events';
import { enqueueForAppointment } from './routing-service';

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
      await enqueueForAppointment({ kind: 'patient', id: visit.patient.id, name: 'P', clinicId: s.clinic.id, appointmentId: visit.appointment.id });
      expect((await next).value?.board).toHaveLength(n);
      latencies.push(Math.round(performance.now() - started));
    }
    console.info(`change-to-view latency (ms, including the enqueue itself): ${latencies.join(', ')}`);
    abort.abort();
    await views.return(undefined);
  }, 20_000);
});
