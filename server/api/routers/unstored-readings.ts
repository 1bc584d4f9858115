import 'server-only';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { refusedForConsult } from '@/server/clinical/failed-writes-service';
import { appointmentInput } from '@/server/clinical/schemas';

// What the FHIR server refused to store for the consult's patient: the patient's check-in and consult
// screens (their own readings) and the care team's EHR panel.
export const unstoredReadingsRouter = createTRPCRouter({
  forConsult: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => refusedForConsult(ctx.principal, input.appointmentId)),
});
