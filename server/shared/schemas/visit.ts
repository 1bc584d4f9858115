import { z } from 'zod';

/** The follow-up intervals offered as one-click choices (days). */
export const FOLLOW_UP_INTERVAL_DAYS = [7, 14, 28, 56, 91] as const;

export const wrapUpInput = z
  .object({
    appointmentId: z.string().min(1).max(64),
    freeText: z.string().trim().max(5000, 'Keep the note under 5,000 characters'),
    assessment: z.string().trim().min(1, 'Write a short assessment').max(2000, 'Keep the assessment under 2,000 characters'),
    plan: z.string().trim().min(1, 'Write the plan the patient will see').max(2000, 'Keep the plan under 2,000 characters'),
    nextFollowUpDays: z.number().int().min(1, 'At least 1 day').max(365, 'At most a year').nullable(),
    bookNext: z.boolean(),
  })
  .refine((input) => !input.bookNext || input.nextFollowUpDays !== null, {
    message: 'Choose when the next follow-up should be',
    path: ['nextFollowUpDays'],
  });

export type WrapUpInput = z.infer<typeof wrapUpInput>;
