import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import type { Principal } from '@/server/auth/session-types';
import { logTrpcError } from './error-log';

/** The tRPC endpoint for a way of knowing who calls (the session in the app; a given principal in tests). */
export function createTrpcHandler(principalOf: () => Promise<Principal | null>, router: AnyTRPCRouter = appRouter) {
  return (request: Request) =>
    fetchRequestHandler({
      endpoint: '/api/trpc',
      req: request,
      router,
      createContext: async () => createContext(await principalOf()),
      onError({ error, path }) {
        logTrpcError(error, path);
      },
    });
}
