import 'server-only';
import { z } from 'zod';
import { createTRPCRouter, signedInProcedure, staffProcedure } from '@/server/api/trpc';
import {
  cancelAppointment,
  createAppointment,
  getScheduleContext,
  listMyFreeSlots,
  listPatients,
  listSchedule,
  rescheduleAppointment,
  rescheduleMyAppointment,
} from '@/server/scheduling/schedule-service';
import { markNoShow } from '@/server/scheduling/no-show';
import {
  cancelAppointmentInput,
  createAppointmentInput,
  patientRescheduleInput,
  patientSearchInput,
  rescheduleAppointmentInput,
  scheduleViewInput,
} from '@/server/scheduling/schemas';

const staff = staffProcedure(['CLINICIAN', 'NURSE', 'ADMIN']);

export const scheduleRouter = createTRPCRouter({
  list: staff.input(scheduleViewInput).query(({ ctx, input }) => listSchedule(ctx.principal, input)),
  context: staff.query(({ ctx }) => getScheduleContext(ctx.principal)),
  listPatients: staff.input(patientSearchInput).query(({ ctx, input }) => listPatients(ctx.principal, input.query)),
  create: staff.input(createAppointmentInput).mutation(({ ctx, input }) => createAppointment(ctx.principal, input)),
  reschedule: staff.input(rescheduleAppointmentInput).mutation(({ ctx, input }) => rescheduleAppointment(ctx.principal, input)),
  cancel: staff.input(cancelAppointmentInput).mutation(({ ctx, input }) => cancelAppointment(ctx.principal, input)),
  markNoShow: staffProcedure(['CLINICIAN', 'NURSE'])
    .input(z.object({ appointmentId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => markNoShow(ctx.principal, input.appointmentId)),
  /** The patient signed in by their link: their clinician's free times for the next 14 days. */
  listMyFreeSlots: signedInProcedure.query(({ ctx }) => listMyFreeSlots(ctx.principal)),
  rescheduleMine: signedInProcedure.input(patientRescheduleInput).mutation(({ ctx, input }) => rescheduleMyAppointment(ctx.principal, input)),
});
