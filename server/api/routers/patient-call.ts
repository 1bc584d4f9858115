import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { requirePatient } from '@/server/auth/guards';
import { requestPublishing, startPatientCall } from '@/server/agents/patient-call';
import { livekit } from '@/server/livekit';

const patientOnly = 'Only the visit’s patient joins this call.';

export const patientCallRouter = createTRPCRouter({
  start: signedInProcedure
    .input(z.object({ audioOnly: z.boolean(), locale: z.enum(['zh-CN', 'en']) }))
    .mutation(({ ctx, input }) => startPatientCall(livekit(), requirePatient(ctx.principal, patientOnly), input)),
  /** No publishing rights arrived after the accept: asks for them again. */
  publish: signedInProcedure.mutation(({ ctx }) => requestPublishing(livekit(), requirePatient(ctx.principal, patientOnly))),
});
