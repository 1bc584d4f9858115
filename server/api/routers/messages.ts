import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { listClinicMessages } from '@/server/notify/message-admin-service';
import { listMessagesInput } from '@/server/shared/schemas/notify';

export const messagesRouter = createTRPCRouter({
  list: staffProcedure(['ADMIN'])
    .input(listMessagesInput)
    .query(({ ctx, input }) => listClinicMessages(ctx.principal, input)),
});
