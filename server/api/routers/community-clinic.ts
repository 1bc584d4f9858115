import 'server-only';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { livekit } from '@/server/livekit';
import { appointmentInput } from '@/server/consult/schemas';
import { startWithPatient } from '@/server/consult/community-clinic-service';

/** The nurse's "start with the patient" in the consult room (community-clinic mode). */
export const communityClinicRouter = createTRPCRouter({
  startWithPatient: signedInProcedure.input(appointmentInput).mutation(({ ctx, input }) => startWithPatient(livekit(), ctx.principal, input.appointmentId)),
});
