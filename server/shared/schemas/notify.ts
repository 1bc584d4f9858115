import { z } from 'zod';
import { MessageKind, MessageStatus } from '@/server/db/generated/enums';

export const MESSAGE_STATUSES = Object.values(MessageStatus);
export const MESSAGE_KINDS = Object.values(MessageKind);

export const listMessagesInput = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  limit: z.number().int().min(1).max(200).default(100),
});
