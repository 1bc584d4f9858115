import { z } from 'zod';

export const offerIdInput = z.object({ offerId: z.string().min(1).max(64) });
export const presenceInput = z.object({ state: z.enum(['AVAILABLE', 'OFFLINE']) });

export const queueSettingsInput = z
  .object({
    queueId: z.string().min(1).max(64),
    name: z.string().trim().min(1, 'Give the queue a name').max(80),
    requiredSkills: z.array(z.string().trim().min(1).max(40)).max(10),
    preferredClinicianSeconds: z.number().int().min(0).max(3600),
    agingSecondsPerPriority: z.number().int().min(1).max(3600),
    serviceLevelSeconds: z.number().int().min(10).max(3600),
    offerTimeoutSeconds: z.number().int().min(5).max(120),
    wrapUpSeconds: z.number().int().min(0).max(1800),
    overflowQueueId: z.string().min(1).max(64).nullable(),
    overflowAfterSeconds: z.number().int().min(30).max(7200).nullable(),
    maxWaitSeconds: z.number().int().min(60).max(14400).nullable(),
    /** Patients bound for this queue skip the clinic's menu and go straight to the waiting media. */
    skipIvr: z.boolean().default(false),
  })
  .refine((q) => (q.overflowQueueId === null) === (q.overflowAfterSeconds === null), {
    message: 'Overflow needs both a queue and a wait time',
    path: ['overflowAfterSeconds'],
  })
  .refine((q) => q.overflowQueueId !== q.queueId, { message: 'A queue cannot overflow into itself', path: ['overflowQueueId'] });
