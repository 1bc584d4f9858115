import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { menuFigures, menuForAdmin, saveMenu } from '@/server/ivr/menu-service';

// The admin screen's call menu (IVR): the live version, saving a new one, and how callers went through it.
const admin = staffProcedure(['ADMIN']);

export const ivrAdminRouter = createTRPCRouter({
  live: admin.query(({ ctx }) => menuForAdmin(ctx.principal)),
  // The tree is checked by the service, which names each problem's node and field (error.data.problems).
  save: admin.input(z.object({ tree: z.unknown() })).mutation(({ ctx, input }) => saveMenu(ctx.principal, input.tree)),
  figures: admin
    .input(z.object({ version: z.number().int().min(0).optional() }).default({}))
    .query(({ ctx, input }) => menuFigures(ctx.principal, input.version)),
});
