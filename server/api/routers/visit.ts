import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { locales } from '@/server/shared/i18n/locales';
import { acceptTelehealthConsent } from '@/server/visit/consent-service';
import { wrapUpInput } from '@/server/shared/schemas/visit';
import { requireWrapUpWriter, saveWrapUp, visitSummary } from '@/server/visit/wrap-up-service';

/** Clinicians only: nurses see the visit note but do not write its assessment and plan. */
const wrapUpWriterProcedure = signedInProcedure.use(({ ctx, next }) => next({ ctx: { ...ctx, principal: requireWrapUpWriter(ctx.principal) } }));

export const visitRouter = createTRPCRouter({
  acceptConsent: signedInProcedure
    .input(z.object({ locale: z.enum(locales), text: z.string().min(1).max(10_000) }))
    .mutation(({ ctx, input }) => acceptTelehealthConsent(ctx.principal, input)),
  saveWrapUp: wrapUpWriterProcedure.input(wrapUpInput).mutation(({ ctx, input }) => saveWrapUp(ctx.principal, input)),
  summary: signedInProcedure.query(({ ctx }) => visitSummary(ctx.principal)),
});
