import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { listTodayForStaff } from '@/server/scheduling/appointment-service';

export const appointmentRouter = createTRPCRouter({
  listToday: staffProcedure(['CLINICIAN', 'NURSE', 'ADMIN']).query(({ ctx }) => listTodayForStaff(ctx.principal)),
});
