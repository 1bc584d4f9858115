import 'server-only';
import { createTRPCRouter, signedInProcedure, trpcErrorOf } from '@/server/api/trpc';
import { DomainError } from '@/server/errors';
import { appointmentTopic, watchRouting } from '@/server/routing/routing-events';
import { authorizeConsult } from '@/server/consult/consult-access';
import { appointmentInput, requestSpecialistInput, specialistNoteInput, specialistRequestIdInput } from '@/server/consult/schemas';
import { cancelSpecialistRequest, listSpecialistRequests, leaveAsSpecialist, requestSpecialist } from '@/server/consult/specialist-request-service';
import { keepSpecialistRequestsAlive } from '@/server/consult/specialist-tasks';
import { mySpecialistNote, saveSpecialistNote, specialistNotesOfVisit } from '@/server/consult/specialist-note-service';

/** How often an open request panel re-reads (and keeps its requests alive) without any routing change. */
const REQUEST_WATCH_IDLE_MS = 3000;

/** The room's specialist panels (requesting one, the specialist's own note) and the wrap-up's specialist notes. */
export const consultSpecialistsRouter = createTRPCRouter({
  requestSpecialist: signedInProcedure.input(requestSpecialistInput).mutation(({ ctx, input }) => requestSpecialist(ctx.principal, input)),
  cancelSpecialistRequest: signedInProcedure
    .input(specialistRequestIdInput)
    .mutation(({ ctx, input }) => cancelSpecialistRequest(ctx.principal, input.requestId)),
  /**
   * The consult's specialist requests, live; while it is open the requests stay in the queue. Access is asked
   * again at every read, so a guest removed (or whose invitation ran out) sees the stream end with the refusal.
   */
  watchSpecialistRequests: signedInProcedure.input(appointmentInput).subscription(async function* ({ ctx, input, signal }) {
    const { appointment } = await authorizeConsult(ctx.principal, input.appointmentId);
    yield* watchRouting({
      clinicId: appointment.clinicId,
      // A change that names this consult (a guest removed) wakes the view at once; clinic changes as usual.
      topics: [appointmentTopic(appointment.id)],
      read: async () => {
        // Only this person's own access ends the stream; the visit's end does not stop the care team's view.
        await authorizeConsult(ctx.principal, appointment.id, { open: false }).catch((error: unknown) => {
          throw error instanceof DomainError ? trpcErrorOf(error) : error;
        });
        return listSpecialistRequests(appointment.id);
      },
      idleMs: REQUEST_WATCH_IDLE_MS,
      signal,
      onIdle: () => keepSpecialistRequestsAlive(appointment.id),
    });
  }),
  leaveAsSpecialist: signedInProcedure.input(appointmentInput).mutation(({ ctx, input }) => leaveAsSpecialist(ctx.principal, input.appointmentId)),
  saveSpecialistNote: signedInProcedure.input(specialistNoteInput).mutation(({ ctx, input }) => saveSpecialistNote(ctx.principal, input)),
  mySpecialistNote: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => mySpecialistNote(ctx.principal, input.appointmentId)),
  specialistNotes: signedInProcedure.input(appointmentInput).query(({ ctx, input }) => specialistNotesOfVisit(ctx.principal, input.appointmentId)),
});
