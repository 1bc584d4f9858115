import 'server-only';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { requirePatient } from '@/server/auth/guards';
import { LIVE_VIEW_IDLE_MS } from '@/server/routing/routing-config';
import { joinWaitingRoom, leaveQueue, touchTask } from '@/server/routing/patient-queue';
import { watchWaitingStatus } from '@/server/routing/waiting-room-status';

const patientOnly = 'Only patients wait in the waiting room.';

export const waitingRoomRouter = createTRPCRouter({
  join: signedInProcedure.mutation(({ ctx }) => joinWaitingRoom(requirePatient(ctx.principal, patientOnly))),
  leave: signedInProcedure.mutation(({ ctx }) => leaveQueue(requirePatient(ctx.principal, patientOnly))),
  watch: signedInProcedure.subscription(async function* ({ ctx, signal }) {
    const patient = requirePatient(ctx.principal, patientOnly);
    // While this connection is open the patient keeps their place; the sweeper abandons it otherwise.
    yield* watchWaitingStatus(patient, {
      idleMs: LIVE_VIEW_IDLE_MS,
      signal,
      onIdle: async (status) => {
        if (status.state === 'WAITING' || status.state === 'OFFERED') await touchTask(status.taskId);
      },
    });
  }),
});
