import 'server-only';
import { createCallerFactory, createTRPCRouter } from './trpc';
import { appointmentRouter } from './routers/appointment';
import { patientCallRouter } from './routers/patient-call';
import { consultRouter } from './routers/consult';
import { messagesRouter } from './routers/messages';
import { visitRouter } from './routers/visit';
import { deskRouter } from './routers/desk';
import { queueAdminRouter } from './routers/queue-admin';
import { waitingRoomRouter } from './routers/waiting-room';
import { scheduleRouter } from './routers/schedule';
import { clinicalRouter } from './routers/clinical';
import { multipartyRouter } from './routers/multiparty';
import { failedWritesRouter } from './routers/failed-writes';
import { unstoredReadingsRouter } from './routers/unstored-readings';
import { ivrAdminRouter } from './routers/ivr-admin';
import { waitingMediaAdminRouter } from './routers/waiting-media-admin';
import { phoneLineRouter } from './routers/phone-line';

export const appRouter = createTRPCRouter({
  appointment: appointmentRouter,
  consult: consultRouter,
  waitingRoom: waitingRoomRouter,
  patientCall: patientCallRouter,
  desk: deskRouter,
  queues: queueAdminRouter,
  messages: messagesRouter,
  schedule: scheduleRouter,
  visit: visitRouter,
  clinical: clinicalRouter,
  multiparty: multipartyRouter,
  failedWrites: failedWritesRouter,
  unstoredReadings: unstoredReadingsRouter,
  ivrMenu: ivrAdminRouter,
  waitingMedia: waitingMediaAdminRouter,
  phoneLine: phoneLineRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
