// Renders a client component the way its page does (the screen's strings, tRPC, the App Router) for
// jsdom tests. Only the boundaries are stand-ins: the server answers from the test's table through a
// custom tRPC link, and the router records where the page sent the person.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, type RenderResult } from '@testing-library/react';
import { createTRPCClient, TRPCClientError, type OperationResultEnvelope, type TRPCLink } from '@trpc/client';
import { observable, type Observer } from '@trpc/server/observable';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { AppRouterContext, type AppRouterInstance } from 'next/dist/shared/lib/app-router-context.shared-runtime';
import type { ReactNode } from 'react';
import { afterEach, vi } from 'vitest';
import { I18nProvider } from '@/components/providers/i18n-provider';
import { TRPCProvider } from '@/components/providers/trpc-provider';
import type { AppRouter } from '@/server/api/root';
import type { ErrorReason } from '@/server/errors';
import { dictionaries, type Messages } from '@/server/shared/i18n/dictionaries';
import type { AppLocale } from '@/server/shared/i18n/locales';

// Testing Library unmounts after each test only where vitest's globals are on; they are not here.
afterEach(cleanup);

/** What the server answers one call with. */
export type Reply =
  | { data: unknown }
  /** A refusal as server/api/trpc.ts's errorFormatter sends it: tRPC's code and the domain's reason. */
  | { refused: TRPC_ERROR_CODE_KEY; reason?: ErrorReason }
  /** The request never reached the server (offline, DNS, a proxy): no code, no reason. */
  | { networkError: true };

/** The live end of a subscription: the test pushes what the server would send. */
export type Feed = {
  data: (value: unknown) => void;
  /** The line dropped and the client is reconnecting (what httpSubscriptionLink reports). */
  reconnecting: () => void;
  fail: (reply: Exclude<Reply, { data: unknown }>) => void;
};

/**
 * The server, by procedure path ('waitingRoom.join'): a function for a query or mutation (a promise that
 * never settles keeps the call pending), `{ subscribe }` for a subscription. A path with no entry stays
 * pending, like a server that has not answered yet.
 */
export type Answers = Record<string, ((input: unknown) => Reply | Promise<Reply>) | { subscribe: (feed: Feed) => void }>;

export type Call = { type: 'query' | 'mutation' | 'subscription'; path: string; input: unknown };

type Envelope = OperationResultEnvelope<unknown, TRPCClientError<AppRouter>>;

const httpStatus: Partial<Record<TRPC_ERROR_CODE_KEY, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

function clientError(reply: Exclude<Reply, { data: unknown }>): TRPCClientError<AppRouter> {
  if ('networkError' in reply) return TRPCClientError.from(new TypeError('Failed to fetch'));
  const code = reply.refused;
  return TRPCClientError.from({
    error: {
      code: TRPC_ERROR_CODES_BY_KEY[code],
      message: code,
      data: { code, httpStatus: httpStatus[code] ?? 500, reason: reply.reason ?? null, zodError: null },
    },
  });
}

function answer(observer: Observer<Envelope, TRPCClientError<AppRouter>>, reply: Reply) {
  if ('data' in reply) {
    observer.next({ result: { type: 'data', data: reply.data } });
    observer.complete();
  } else {
    observer.error(clientError(reply));
  }
}

function tableLink(answers: Answers, calls: Call[]): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable<Envelope, TRPCClientError<AppRouter>>((observer) => {
        calls.push({ type: op.type, path: op.path, input: op.input });
        const handler = answers[op.path];
        let open = true;
        if (op.type === 'subscription') {
          if (handler && 'subscribe' in handler) {
            handler.subscribe({
              data: (value) => open && observer.next({ result: { type: 'data', data: value } }),
              reconnecting: () => open && observer.next({ result: { type: 'state', state: 'connecting', error: null } }),
              fail: (reply) => open && observer.error(clientError(reply)),
            });
          }
        } else if (typeof handler === 'function') {
          void Promise.resolve(handler(op.input)).then((reply) => open && answer(observer, reply));
        }
        return () => {
          open = false;
        };
      });
}

export type Screen = RenderResult & {
  /** Every call the component made, in order. */
  calls: Call[];
  /** Where the page navigated to (router.push and router.replace). */
  router: { push: ReturnType<typeof vi.fn>; replace: ReturnType<typeof vi.fn> };
  t: Messages;
};

/** `strict`: React's development double render and double effects, as `next dev` runs them. */
export function renderScreen(
  ui: ReactNode,
  { answers = {}, locale = 'en', strict = false }: { answers?: Answers; locale?: AppLocale; strict?: boolean } = {},
): Screen {
  const calls: Call[] = [];
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const trpcClient = createTRPCClient<AppRouter>({ links: [tableLink(answers, calls)] });
  const router = { push: vi.fn(), replace: vi.fn() };
  const appRouter: AppRouterInstance = {
    ...router,
    back: vi.fn(),
    forward: vi.fn(),
    refresh: vi.fn(),
    prefetch: vi.fn(),
    bfcacheId: 'test',
  };
  const t = dictionaries[locale];
  const result = render(
    <AppRouterContext.Provider value={appRouter}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <I18nProvider locale={locale} messages={t}>
            {ui}
          </I18nProvider>
        </TRPCProvider>
      </QueryClientProvider>
    </AppRouterContext.Provider>,
    { reactStrictMode: strict },
  );
  return Object.assign(result, { calls, router, t });
}

/** A reply the test hands over when it chooses, to see the screen while the call is pending. */
export function deferred(): { promise: Promise<Reply>; settle: (reply: Reply) => void } {
  let settle: (reply: Reply) => void = () => {};
  const promise = new Promise<Reply>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}
