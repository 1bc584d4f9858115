import { describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { spawnScript } from '@/server/testing/spawn-script';
import type { Principal } from '@/server/auth/session-types';
import { addVisit, createClinic, createStaff, patientPrincipal } from '@/server/testing/factories';
import { acceptOffer } from './offers';
import { enqueueForAppointment } from './patient-queue';
import { setPresence } from './presence';

type Cast = { clinicId: string; doctors: { id: string; name: string }[]; visits: { patientId: string; appointmentId: string }[] };

const ACTOR_MIN_STEPS = 20;

function startActor(cast: Cast, seconds: number) {
  return spawnScript('server/routing/testing/routing-actor.ts', {
    ROUTING_ACTOR_CAST: JSON.stringify(cast),
    ROUTING_ACTOR_SECONDS: String(seconds),
    ROUTING_ACTOR_MIN_STEPS: String(ACTOR_MIN_STEPS),
  });
}

/** Resolves once the actor says it is in the middle of its work. */
function working(actor: ReturnType<typeof startActor>) {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    actor.child.stdout!.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('working')) resolve();
    });
    actor.child.once('exit', () => reject(new Error('the actor exited before it started working')));
  });
}

/** Every routing invariant of docs/routing.md, checked against the database. */
async function violations(clinicId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ problem: string; n: bigint }[]>`
    SELECT 'task with more than one live offer' AS problem, count(*) AS n FROM (
      SELECT o."taskId" FROM "Offer" o JOIN "Task" t ON t.id = o."taskId"
      WHERE t."clinicId" = ${clinicId} AND o.state = 'PENDING' GROUP BY o."taskId" HAVING count(*) > 1) x
    UNION ALL
    SELECT 'clinician over capacity', count(*) FROM "ClinicianPresence" p
      WHERE p."clinicId" = ${clinicId} AND p.capacity <
        (SELECT count(*) FROM "Offer" o WHERE o."clinicianId" = p."userId" AND o.state = 'PENDING')
        + (SELECT count(*) FROM "Task" t WHERE t."assignedClinicianId" = p."userId" AND t.state = 'ASSIGNED')
    UNION ALL
    SELECT 'appointment with more than one live task', count(*) FROM (
      SELECT "appointmentId" FROM "Task" WHERE "clinicId" = ${clinicId} AND state IN ('WAITING', 'OFFERED', 'ASSIGNED')
      GROUP BY "appointmentId" HAVING count(*) > 1) x
    UNION ALL
    SELECT 'offered task without exactly one pending offer', count(*) FROM "Task" t
      WHERE t."clinicId" = ${clinicId} AND t.state = 'OFFERED'
        AND (SELECT count(*) FROM "Offer" o WHERE o."taskId" = t.id AND o.state = 'PENDING') <> 1
    UNION ALL
    SELECT 'waiting task with a pending offer', count(*) FROM "Task" t
      WHERE t."clinicId" = ${clinicId} AND t.state = 'WAITING'
        AND EXISTS (SELECT 1 FROM "Offer" o WHERE o."taskId" = t.id AND o.state = 'PENDING')
    UNION ALL
    SELECT 'assigned task without its accepted offer', count(*) FROM "Task" t
      WHERE t."clinicId" = ${clinicId} AND t.state = 'ASSIGNED'
        AND NOT EXISTS (SELECT 1 FROM "Offer" o WHERE o."taskId" = t.id AND o.state = 'ACCEPTED' AND o."clinicianId" = t."assignedClinicianId")
    UNION ALL
    SELECT 'served task without exactly one accepted offer', count(*) FROM "Task" t
      WHERE t."clinicId" = ${clinicId} AND t."assignedAt" IS NOT NULL
        AND (SELECT count(*) FROM "Offer" o WHERE o."taskId" = t.id AND o.state = 'ACCEPTED' AND o."clinicianId" = t."assignedClinicianId") <> 1
    UNION ALL
    SELECT 'busy clinician without a consult, or a consult without a busy clinician', count(*) FROM "ClinicianPresence" p
      WHERE p."clinicId" = ${clinicId}
        AND (p.state = 'BUSY') <> EXISTS (SELECT 1 FROM "Task" t WHERE t."assignedClinicianId" = p."userId" AND t.state = 'ASSIGNED')
    UNION ALL
    SELECT 'pending offer on a task that is not offered', count(*) FROM "Offer" o JOIN "Task" t ON t.id = o."taskId"
      WHERE t."clinicId" = ${clinicId} AND o.state = 'PENDING' AND t.state <> 'OFFERED'`;
  return rows.filter((r) => r.n > 0n).map((r) => `${r.problem}: ${r.n}`);
}

describe('routing under concurrency (real PostgreSQL, several processes)', () => {
  it('has an invariant check that does catch a broken state', async () => {
    const clinic = await createClinic();
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    await db.clinicianPresence.create({ data: { userId: doctor.id, clinicId: clinic.id, state: 'BUSY' } });
    expect(await violations(clinic.id)).toEqual(['busy clinician without a consult, or a consult without a busy clinician: 1']);
  });

  it('lets exactly one of many simultaneous accepts win', async () => {
    const clinic = await createClinic({ queue: { preferredClinicianSeconds: 0 } });
    const doctor = await createStaff(clinic.id, 'CLINICIAN');
    const visit = await addVisit(clinic.id, doctor.id);
    const principal: Principal = { kind: 'staff', id: doctor.id, name: doctor.name, role: 'CLINICIAN', clinicId: clinic.id };
    await enqueueForAppointment(patientPrincipal(visit));
    await setPresence(principal, 'AVAILABLE');
    const offer = await db.offer.findFirstOrThrow({ where: { clinicianId: doctor.id, state: 'PENDING' } });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acceptOffer(principal, offer.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('CONFLICT'));
    expect(await violations(clinic.id)).toEqual([]);
  });

  it('keeps every invariant with three processes racing, one killed mid-work and restarted', async () => {
    const clinic = await createClinic({ queue: { preferredClinicianSeconds: 0, offerTimeoutSeconds: 5, wrapUpSeconds: 0 } });
    const doctors = await Promise.all(Array.from({ length: 4 }, () => createStaff(clinic.id, 'CLINICIAN')));
    const visits = [];
    for (let i = 0; i < 24; i++) visits.push(await addVisit(clinic.id, doctors[i % doctors.length]!.id));
    const cast: Cast = {
      clinicId: clinic.id,
      doctors: doctors.map((d) => ({ id: d.id, name: d.name })),
      visits: visits.map((v) => ({ patientId: v.patient.id, appointmentId: v.appointment.id })),
    };

    const steady = [startActor(cast, 8), startActor(cast, 8)];
    const victim = startActor(cast, 8);
    // Killed in the middle of its work, however long a loaded machine takes to get it there.
    await working(victim);
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');
    const restarted = startActor(cast, 4);

    const finished = await Promise.all([...steady, restarted].map((a) => a.done));
    console.info('routing actors:', finished.map((run) => run.output.trim().split('\n').pop()).join(' '));
    for (const run of finished) {
      expect(run.code, run.output).toBe(0);
      // Each process ran to its end: it does at least ACTOR_MIN_STEPS steps however loaded the machine is.
      expect(JSON.parse(run.output.trim().split('\n').pop()!).steps).toBeGreaterThanOrEqual(ACTOR_MIN_STEPS);
    }
    expect(await violations(clinic.id)).toEqual([]);

    // After the restart every waiting patient reconnects: nobody is lost, nobody is duplicated.
    const liveBefore = await db.task.findMany({
      where: { clinicId: clinic.id, state: { in: ['WAITING', 'OFFERED', 'ASSIGNED'] } },
      select: { id: true, appointmentId: true },
    });
    for (const visit of cast.visits) {
      const appointment = await db.appointment.findUniqueOrThrow({ where: { id: visit.appointmentId } });
      if (appointment.status !== 'SCHEDULED' && appointment.status !== 'CHECKED_IN' && appointment.status !== 'IN_PROGRESS') continue;
      const task = await enqueueForAppointment({ kind: 'patient', id: visit.patientId, name: 'P', clinicId: clinic.id, appointmentId: visit.appointmentId });
      const before = liveBefore.find((t) => t.appointmentId === visit.appointmentId);
      if (before) expect(task.id).toBe(before.id);
    }
    expect(await violations(clinic.id)).toEqual([]);
    const accepted = await db.offer.count({ where: { state: 'ACCEPTED', task: { clinicId: clinic.id } } });
    const served = await db.task.count({ where: { clinicId: clinic.id, assignedAt: { not: null } } });
    expect(served).toBe(accepted);
    expect(accepted).toBeGreaterThan(0);
  }, 60_000);
});
