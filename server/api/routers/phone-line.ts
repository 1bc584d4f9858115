import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { phoneSettingsInput } from '@/server/shared/schemas/phone';
import { phoneLineForAdmin, savePhoneLine } from '@/server/sip/phone-line-service';
import { sip } from '@/server/sip';

// The admin screen's phone line: the clinic's numbers, who may send calls in, and the trunk for calling out.
const admin = staffProcedure(['ADMIN']);

export const phoneLineRouter = createTRPCRouter({
  settings: admin.query(({ ctx }) => phoneLineForAdmin(ctx.principal)),
  save: admin.input(phoneSettingsInput).mutation(({ ctx, input }) => savePhoneLine(sip(), ctx.principal, input)),
});
