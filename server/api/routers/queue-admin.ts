import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { LIVE_VIEW_IDLE_MS } from '@/server/routing/routing-config';
import { listQueues, updateQueue } from '@/server/routing/queue-admin-service';
import { watchWallboard } from '@/server/routing/wallboard';
import { queueSettingsInput } from '@/server/shared/schemas/routing';

const adminProcedure = staffProcedure(['ADMIN']);

export const queueAdminRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listQueues(ctx.principal)),
  update: adminProcedure.input(queueSettingsInput).mutation(({ ctx, input }) => updateQueue(ctx.principal, input)),
  watchWallboard: adminProcedure.subscription(async function* ({ ctx, signal }) {
    yield* watchWallboard(ctx.principal, { idleMs: LIVE_VIEW_IDLE_MS, signal });
  }),
});
