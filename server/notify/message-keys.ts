// Dedupe keys of visit messages: `<KIND>:<appointmentId>:<startsAt ISO>[:<generation>]`.
// The start time makes a reschedule queue new reminders; the generation (how many times the visit
// moved before) makes a visit moved back to an earlier time get fresh ones too.
import type { MessageKind } from '@/server/db/generated/client';

export function visitMessageKey(kind: MessageKind, appointmentId: string, startsAt: Date, generation = 0): string {
  const key = `${kind}:${appointmentId}:${startsAt.toISOString()}`;
  return generation > 0 ? `${key}:${generation}` : key;
}

const KEY = /^[A-Z0-9_]+:[^:]+:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)(?::\d+)?$/;

/** The visit start a message was queued for, or null when the key is not a visit message key. */
export function startsAtOfKey(key: string): Date | null {
  const match = KEY.exec(key);
  return match ? new Date(match[1]!) : null;
}
