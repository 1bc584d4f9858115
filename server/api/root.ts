import { createCallerFactory, createTRPCRouter } from './trpc';
import { appointmentRouter } from './routers/appointment';
import { consultRouter } from './routers/consult';

export const appRouter = createTRPCRouter({
  appointment: appointmentRouter,
  consult: consultRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
