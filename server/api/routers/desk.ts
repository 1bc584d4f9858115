import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { CARE_ROLES } from '@/server/auth/guards';
import { LIVE_VIEW_IDLE_MS } from '@/server/routing/routing-config';
import { acceptCall } from '@/server/agents/patient-call';
import { livekit } from '@/server/livekit';
import { declineOffer } from '@/server/routing/offers';
import { setPresence } from '@/server/routing/presence';
import { watchDesk } from '@/server/routing/desk-view';
import { offerIdInput, presenceInput } from '@/server/shared/schemas/routing';

const careStaffProcedure = staffProcedure(CARE_ROLES);

export const deskRouter = createTRPCRouter({
  setPresence: careStaffProcedure.input(presenceInput).mutation(({ ctx, input }) => setPresence(ctx.principal, input.state)),
  accept: careStaffProcedure.input(offerIdInput).mutation(({ ctx, input }) => acceptCall(livekit(), ctx.principal, input.offerId)),
  decline: careStaffProcedure.input(offerIdInput).mutation(({ ctx, input }) => declineOffer(ctx.principal, input.offerId)),
  watch: careStaffProcedure.subscription(async function* ({ ctx, signal }) {
    yield* watchDesk(ctx.principal, { idleMs: LIVE_VIEW_IDLE_MS, signal });
  }),
});
