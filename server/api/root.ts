import { createCallerFactory, createTRPCRouter } from './trpc';
import { appointmentRouter } from './routers/appointment';
import { consultRouter } from './routers/consult';
import { visitRouter } from './routers/visit';
import { deskRouter, queueAdminRouter, waitingRoomRouter } from './routers/routing';

export const appRouter = createTRPCRouter({
  appointment: appointmentRouter,
  consult: consultRouter,
  waitingRoom: waitingRoomRouter,
  desk: deskRouter,
  queues: queueAdminRouter,
  visit: visitRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
