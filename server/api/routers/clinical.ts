import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure, staffProcedure } from '@/server/api/trpc';
import { fhirGateway } from '@/server/fhir/gateway';
import { chartForConsult } from '@/server/clinical/chart-service';
import { currentShare, sharePanel, sharedPanelView, stopSharing } from '@/server/clinical/panel-share-service';
import { appointmentInput, sharePanelInput, submitVitalsInput } from '@/server/clinical/schemas';
import { submitVitals } from '@/server/clinical/vitals-service';

const careTeam = staffProcedure(['CLINICIAN', 'NURSE']);

export const clinicalRouter = createTRPCRouter({
  chart: careTeam.input(appointmentInput).query(({ ctx, input }) => chartForConsult(fhirGateway(), ctx.principal, input.appointmentId)),
  submitVitals: signedInProcedure.input(submitVitalsInput).mutation(({ ctx, input }) => submitVitals(fhirGateway, ctx.principal, input)),
  share: careTeam.input(sharePanelInput).mutation(({ ctx, input }) => sharePanel(ctx.principal, input)),
  stopSharing: careTeam.input(appointmentInput).mutation(({ ctx, input }) => stopSharing(ctx.principal, input.appointmentId)),
  currentShare: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => currentShare(ctx.principal, input.appointmentId)),
  sharedPanel: signedInProcedure
    .input(appointmentInput.extend({ shareId: z.string().uuid() }))
    .query(({ ctx, input }) => sharedPanelView(fhirGateway, ctx.principal, input)),
});
