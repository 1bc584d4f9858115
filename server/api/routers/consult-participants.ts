import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { sip } from '@/server/sip';
import { authorizeConsult } from '@/server/consult/consult-access';
import { appointmentInput, participantActionInput } from '@/server/consult/schemas';
import { muteParticipant, removeParticipant } from '@/server/consult/participant-service';
import { dialOutAvailability } from '@/server/sip/dial-out-config';
import { clinicOutboundTrunk, dialOutToConsult, phoneNumberSchema } from '@/server/consult/dial-out-service';
import { createInvite, createInviteInput, listInvites, revokeInvite } from '@/server/consult/invite-service';
import { sendVideoLink } from '@/server/sip/step-up';

/** The consult room's people panel: who is here, what this person may do, inviting, removing, calling a phone. */
export const consultParticipantsRouter = createTRPCRouter({
  /** This person's role in the consult and what the room should offer them. */
  access: signedInProcedure.input(appointmentInput).query(async ({ ctx, input }) => {
    const { partyRole, permissions, appointment } = await authorizeConsult(ctx.principal, input.appointmentId);
    const dialOut = dialOutAvailability(env(), await clinicOutboundTrunk(appointment.clinicId));
    return {
      partyRole,
      permissions,
      maxParticipants: env().CONSULT_MAX_PARTICIPANTS,
      dialOut: dialOut.enabled ? { enabled: true as const } : { enabled: false as const, reason: dialOut.reason },
      /** A phone visit: the care team can move it to video. */
      phoneCall: Boolean(appointment.callRoom),
    };
  }),
  sendVideoLink: signedInProcedure.input(appointmentInput).mutation(({ ctx, input }) => sendVideoLink(ctx.principal, input.appointmentId)),
  removeParticipant: signedInProcedure.input(participantActionInput).mutation(({ ctx, input }) => removeParticipant(livekit(), ctx.principal, input)),
  muteParticipant: signedInProcedure.input(participantActionInput).mutation(({ ctx, input }) => muteParticipant(livekit(), ctx.principal, input)),
  dialOut: signedInProcedure
    .input(appointmentInput.extend({ number: phoneNumberSchema }))
    .mutation(({ ctx, input }) => dialOutToConsult({ livekit: livekit(), sip: sip() }, ctx.principal, input)),
  createInvite: signedInProcedure.input(createInviteInput).mutation(({ ctx, input }) => createInvite(ctx.principal, input)),
  listInvites: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => listInvites(ctx.principal, input.appointmentId)),
  revokeInvite: signedInProcedure
    .input(z.object({ inviteId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeInvite(livekit(), ctx.principal, input.inviteId)),
});
