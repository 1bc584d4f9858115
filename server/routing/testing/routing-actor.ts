// A stand-in for one web process under load: it drives the real routing service with random
// patient and clinician actions until it is stopped (or killed). Used by the concurrency test.
import { db } from '@/server/db';
import type { Principal } from '@/server/auth/session-types';
import { acceptOffer, declineOffer } from '../offers';
import { enqueueForAppointment, leaveQueue, touchTask } from '../patient-queue';
import { setPresence } from '../presence';
import { sweep } from '../sweeper';
import { completeTask } from '../task-completion';

type Cast = {
  clinicId: string;
  doctors: { id: string; name: string }[];
  visits: { patientId: string; appointmentId: string }[];
};

const cast = JSON.parse(process.env.ROUTING_ACTOR_CAST ?? '{}') as Cast;
const until = Date.now() + Number(process.env.ROUTING_ACTOR_SECONDS ?? 5) * 1000;
// At least this many steps whatever the time: on a loaded machine starting up can take most of the time.
const minSteps = Number(process.env.ROUTING_ACTOR_MIN_STEPS ?? 20);
/** Printed once the process is in the middle of its work (the test kills one at that point). */
const WORKING_AFTER_STEPS = 3;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;
const staff = (d: { id: string; name: string }): Principal => ({ kind: 'staff', id: d.id, name: d.name, role: 'CLINICIAN', clinicId: cast.clinicId });
const patient = (v: Cast['visits'][number]): Extract<Principal, { kind: 'patient' }> => ({
  kind: 'patient',
  id: v.patientId,
  name: 'P',
  clinicId: cast.clinicId,
  appointmentId: v.appointmentId,
});

async function step() {
  const roll = Math.random();
  if (roll < 0.2) {
    const visit = pick(cast.visits);
    const task = await enqueueForAppointment(patient(visit));
    await touchTask(task.id);
  } else if (roll < 0.3) {
    await setPresence(staff(pick(cast.doctors)), Math.random() < 0.85 ? 'AVAILABLE' : 'OFFLINE');
  } else if (roll < 0.6) {
    const doctor = pick(cast.doctors);
    const offer = await db.offer.findFirst({ where: { clinicianId: doctor.id, state: 'PENDING' } });
    if (offer) await (Math.random() < 0.8 ? acceptOffer(staff(doctor), offer.id) : declineOffer(staff(doctor), offer.id));
  } else if (roll < 0.8) {
    const assigned = await db.task.findFirst({ where: { clinicId: cast.clinicId, state: 'ASSIGNED' } });
    const doctor = cast.doctors.find((d) => d.id === assigned?.assignedClinicianId);
    if (assigned?.appointmentId && doctor) {
      await completeTask(staff(doctor), assigned.appointmentId);
      // The visit is done; reopen it so the next round can queue it again.
      await db.appointment.update({ where: { id: assigned.appointmentId }, data: { status: 'SCHEDULED' } });
    }
  } else if (roll < 0.85) {
    await leaveQueue(patient(pick(cast.visits)));
  } else {
    await sweep();
  }
}

let steps = 0;
let refused = 0;
while (Date.now() < until || steps < minSteps) {
  try {
    await step();
  } catch (error) {
    // Conflicts and refusals are the expected outcome of racing other processes.
    if ((error as { name?: string }).name !== 'DomainError') throw error;
    refused++;
  }
  steps++;
  if (steps === WORKING_AFTER_STEPS) console.log('working');
}
console.log(JSON.stringify({ steps, refused }));
await db.$disconnect();
