import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { endConsult, joinConsult } from '@/server/consult/consult-service';
import { livekit } from '@/server/livekit';
import { requireCareStaff } from '@/server/auth/guards';
import { joinConsultInput } from '@/server/consult/schemas';

export const consultRouter = createTRPCRouter({
  join: signedInProcedure
    .input(joinConsultInput)
    .mutation(({ ctx, input }) => joinConsult(livekit(), ctx.principal, input.appointmentId, { withPatient: input.withPatient })),
  /** While an offer rings: the room's token ahead of the accept (care staff only, as the join itself). */
  prepare: signedInProcedure
    .input(z.object({ appointmentId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) =>
      joinConsult(livekit(), requireCareStaff(ctx.principal, 'Only the care team prepares a consult'), input.appointmentId, { prepare: true }),
    ),
  end: signedInProcedure
    .input(z.object({ appointmentId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => endConsult(livekit(), ctx.principal, input.appointmentId)),
});
