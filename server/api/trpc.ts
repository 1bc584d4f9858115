import 'server-only';
import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { DomainError, type DomainErrorCode, type ErrorReason } from '@/server/errors';
import type { Principal, StaffRole } from '@/server/auth/session-types';
import { requireStaff } from '@/server/auth/guards';
import { InvalidMenuError } from '@/server/ivr/validate-menu';

/** Who is calling; procedures reach data through the domain services, never a database handle here. */
export type Context = { principal: Principal | null };

export function createContext(principal: Principal | null): Context {
  return { principal };
}

const codeFor: Record<DomainErrorCode, TRPCError['code']> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHORIZED: 'UNAUTHORIZED',
  CONFLICT: 'CONFLICT',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

const t = initTRPC.context<Context>().create({
  // Server-sent events keep live views open through proxies; pings let the client notice a dead line.
  sse: { ping: { enabled: true, intervalMs: 5_000 }, client: { reconnectAfterInactivityMs: 12_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    // The client translates the reason with errorMessage (server/shared/i18n/error-message.ts).
    const reason: ErrorReason | null = cause instanceof DomainError ? (cause.reason ?? null) : null;
    return {
      ...shape,
      // Unexpected failures never show their internals to the person using the app.
      message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Something went wrong on our side. Please try again.' : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        reason,
        /** What is wrong where, for a form to mark its fields (a call menu refused as invalidMenu). */
        problems: cause instanceof InvalidMenuError ? cause.problems : null,
      },
    };
  },
});

/** A domain error as the tRPC error it becomes (the middleware below; and a live view refused mid-stream, after it). */
export function trpcErrorOf(cause: DomainError): TRPCError {
  return new TRPCError({ code: codeFor[cause.code], message: cause.message, cause });
}

/** Domain errors become tRPC errors here (and, for a subscription's stream, through trpcErrorOf). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) throw trpcErrorOf(result.error.cause);
  return result;
});

export const createTRPCRouter = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(domainErrors);

export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in first.' });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

export function staffProcedure(roles: readonly StaffRole[]) {
  return signedInProcedure.use(({ ctx, next }) => {
    // A domain refusal like the services' own: the middleware above maps it to FORBIDDEN with this message.
    const principal = requireStaff(ctx.principal, roles, `This needs one of the roles: ${roles.join(', ')}.`);
    return next({ ctx: { ...ctx, principal } });
  });
}
