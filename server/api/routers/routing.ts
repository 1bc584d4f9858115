import { TRPCError } from '@trpc/server';
import { createTRPCRouter, signedInProcedure, staffProcedure } from '@/server/api/trpc';
import { HEARTBEAT_SECONDS } from '@/server/routing/routing-config';
import { watchDesk, watchWaitingStatus, watchWallboard } from '@/server/routing/queue-status';
import { listQueues, updateQueue } from '@/server/routing/queue-admin-service';
import {
  acceptOffer,
  declineOffer,
  enqueueForAppointment,
  leaveQueue,
  setPresence,
  touchTask,
} from '@/server/routing/routing-service';
import { offerIdInput, presenceInput, queueSettingsInput } from '@/server/routing/schemas';
import type { Principal } from '@/server/auth/session-types';
import { forbidden } from '@/server/errors';
import { hasTelehealthConsent } from '@/server/visit/consent-service';

function requirePatient(principal: Principal) {
  if (principal.kind !== 'patient') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only patients wait in the waiting room.' });
  return principal;
}

/** Live views are re-read at least this often even when nothing changed. */
const idleMs = HEARTBEAT_SECONDS * 1000;

const clinicianProcedure = staffProcedure(['CLINICIAN', 'NURSE']);

export const waitingRoomRouter = createTRPCRouter({
  join: signedInProcedure.mutation(async ({ ctx }) => {
    const patient = requirePatient(ctx.principal);
    if (!(await hasTelehealthConsent(patient.appointmentId))) {
      throw forbidden('Please read and accept the telehealth consent first.', 'consentRequired');
    }
    const task = await enqueueForAppointment(patient);
    return { taskId: task.id };
  }),
  leave: signedInProcedure.mutation(({ ctx }) => leaveQueue(requirePatient(ctx.principal))),
  watch: signedInProcedure.subscription(async function* ({ ctx, signal }) {
    const patient = requirePatient(ctx.principal);
    // While this connection is open the patient keeps their place; the sweeper abandons it otherwise.
    yield* watchWaitingStatus(patient, {
      idleMs,
      signal,
      onIdle: async (status) => {
        if (status.state === 'WAITING' || status.state === 'OFFERED') await touchTask(status.taskId);
      },
    });
  }),
});

export const deskRouter = createTRPCRouter({
  setPresence: clinicianProcedure.input(presenceInput).mutation(({ ctx, input }) => setPresence(ctx.principal, input.state)),
  accept: clinicianProcedure.input(offerIdInput).mutation(({ ctx, input }) => acceptOffer(ctx.principal, input.offerId)),
  decline: clinicianProcedure.input(offerIdInput).mutation(({ ctx, input }) => declineOffer(ctx.principal, input.offerId)),
  watch: clinicianProcedure.subscription(async function* ({ ctx, signal }) {
    yield* watchDesk(ctx.principal, { idleMs, signal });
  }),
});

export const queueAdminRouter = createTRPCRouter({
  list: staffProcedure(['ADMIN']).query(({ ctx }) => listQueues(ctx.principal)),
  update: staffProcedure(['ADMIN']).input(queueSettingsInput).mutation(({ ctx, input }) => updateQueue(ctx.principal, input)),
  watchWallboard: staffProcedure(['ADMIN']).subscription(async function* ({ ctx, signal }) {
    yield* watchWallboard(ctx.principal, { idleMs, signal });
  }),
});
