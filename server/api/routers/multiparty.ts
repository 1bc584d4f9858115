import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure } from '@/server/api/trpc';
import { env } from '@/server/env';
import { livekit } from '@/server/livekit';
import { watchRouting } from '@/server/routing/routing-events';
import { authorizeConsult } from '@/server/consult/consult-access';
import {
  appointmentInput,
  participantActionInput,
  requestSpecialistInput,
  specialistNoteInput,
  specialistRequestIdInput,
} from '@/server/consult/schemas';
import { cancelSpecialistRequest, listSpecialistRequests, leaveAsSpecialist, requestSpecialist } from '@/server/consult/specialist-request-service';
import { keepSpecialistRequestsAlive } from '@/server/consult/specialist-tasks';
import { muteParticipant, removeParticipant } from '@/server/consult/participant-service';
import { mySpecialistNote, saveSpecialistNote, specialistNotesOfVisit } from '@/server/consult/specialist-note-service';
import { dialOutAvailability } from '@/server/sip/dial-out-config';
import { startWithPatient } from '@/server/consult/community-clinic-service';
import { dialOutToConsult, phoneNumberSchema } from '@/server/consult/dial-out-service';
import { createSipGateway } from '@/server/sip/sip-gateway';
import { createInvite, createInviteInput, listInvites, revokeInvite } from '@/server/consult/invite-service';

/** How often an open request panel re-reads (and keeps its requests alive) without any routing change. */
const REQUEST_WATCH_IDLE_MS = 3000;

export const multipartyRouter = createTRPCRouter({
  /** This person's role in the consult and what the room should offer them. */
  access: signedInProcedure.input(appointmentInput).query(async ({ ctx, input }) => {
    const { partyRole, permissions } = await authorizeConsult(ctx.principal, input.appointmentId);
    const dialOut = dialOutAvailability(env());
    return {
      partyRole,
      permissions,
      maxParticipants: env().CONSULT_MAX_PARTICIPANTS,
      dialOut: dialOut.enabled ? { enabled: true as const } : { enabled: false as const, reason: dialOut.reason },
    };
  }),
  requestSpecialist: signedInProcedure
    .input(requestSpecialistInput)
    .mutation(({ ctx, input }) => requestSpecialist(ctx.principal, input)),
  cancelSpecialistRequest: signedInProcedure
    .input(specialistRequestIdInput)
    .mutation(({ ctx, input }) => cancelSpecialistRequest(ctx.principal, input.requestId)),
  /** The consult's specialist requests, live; while it is open the requests stay in the queue. */
  watchSpecialistRequests: signedInProcedure.input(appointmentInput).subscription(async function* ({ ctx, input, signal }) {
    const { appointment } = await authorizeConsult(ctx.principal, input.appointmentId);
    yield* watchRouting({
      clinicId: appointment.clinicId,
      read: () => listSpecialistRequests(appointment.id),
      idleMs: REQUEST_WATCH_IDLE_MS,
      signal,
      onIdle: () => keepSpecialistRequestsAlive(appointment.id),
    });
  }),
  leaveAsSpecialist: signedInProcedure.input(appointmentInput).mutation(({ ctx, input }) => leaveAsSpecialist(ctx.principal, input.appointmentId)),
  removeParticipant: signedInProcedure
    .input(participantActionInput)
    .mutation(({ ctx, input }) => removeParticipant(livekit(), ctx.principal, input)),
  muteParticipant: signedInProcedure
    .input(participantActionInput)
    .mutation(({ ctx, input }) => muteParticipant(livekit(), ctx.principal, input)),
  startWithPatient: signedInProcedure.input(appointmentInput).mutation(({ ctx, input }) => startWithPatient(livekit(), ctx.principal, input.appointmentId)),
  dialOut: signedInProcedure
    .input(appointmentInput.extend({ number: phoneNumberSchema }))
    .mutation(({ ctx, input }) => {
      const e = env();
      const sip = createSipGateway({ url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET });
      return dialOutToConsult({ livekit: livekit(), sip }, ctx.principal, input);
    }),
  createInvite: signedInProcedure.input(createInviteInput).mutation(({ ctx, input }) => createInvite(ctx.principal, input)),
  listInvites: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => listInvites(ctx.principal, input.appointmentId)),
  revokeInvite: signedInProcedure
    .input(z.object({ inviteId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeInvite(livekit(), ctx.principal, input.inviteId)),
  saveSpecialistNote: signedInProcedure.input(specialistNoteInput).mutation(({ ctx, input }) => saveSpecialistNote(ctx.principal, input)),
  mySpecialistNote: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => mySpecialistNote(ctx.principal, input.appointmentId)),
  specialistNotes: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => specialistNotesOfVisit(ctx.principal, input.appointmentId)),
});
