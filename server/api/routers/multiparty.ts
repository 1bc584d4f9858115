import 'server-only';
import { mergeRouters } from '@/server/api/trpc';
import { communityClinicRouter } from './community-clinic';
import { consultParticipantsRouter } from './consult-participants';
import { consultSpecialistsRouter } from './consult-specialists';

/** Multi-party consults, one router per screen they serve, under one `multiparty` path for the client. */
export const multipartyRouter = mergeRouters(consultParticipantsRouter, consultSpecialistsRouter, communityClinicRouter);
