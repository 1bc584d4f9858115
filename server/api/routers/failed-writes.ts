import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { dismissRefusedWrite, listClinicFailedWrites, retryFailedWrite } from '@/server/clinical/failed-writes-service';
import { failedWriteInput, listFailedWritesInput } from '@/server/clinical/schemas';

// The admin screen of writes the FHIR server refused (/admin/failed-writes).
const admin = staffProcedure(['ADMIN']);

export const failedWritesRouter = createTRPCRouter({
  list: admin.input(listFailedWritesInput).query(({ ctx, input }) => listClinicFailedWrites(ctx.principal, input)),
  retry: admin.input(failedWriteInput).mutation(({ ctx, input }) => retryFailedWrite(ctx.principal, input.id)),
  dismiss: admin.input(failedWriteInput).mutation(({ ctx, input }) => dismissRefusedWrite(ctx.principal, input.id)),
});
