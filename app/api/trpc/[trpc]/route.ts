import { currentPrincipal } from '@/server/auth/auth';
import { createTrpcHandler } from './handler';

const handler = createTrpcHandler(currentPrincipal);

export { handler as GET, handler as POST };
