import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { endConsult, joinConsult } from '@/server/consult/consult-service';
import { livekit } from '@/server/livekit';
import { joinConsultInput } from '@/server/consult/schemas';

export const consultRouter = createTRPCRouter({
  join: signedInProcedure
    .input(joinConsultInput)
    .mutation(({ ctx, input }) => joinConsult(livekit(), ctx.principal, input.appointmentId, { withPatient: input.withPatient })),
  end: signedInProcedure
    .input(z.object({ appointmentId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => endConsult(livekit(), ctx.principal, input.appointmentId)),
});
