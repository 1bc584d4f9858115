import 'server-only';
import { cache } from 'react';
import { currentPrincipal } from '@/server/auth/auth';
import { createCaller } from './root';
import { createContext } from './trpc';

/** Server components call procedures directly, with the same checks as over HTTP. */
export const serverCaller = cache(async () => createCaller(createContext(await currentPrincipal())));
