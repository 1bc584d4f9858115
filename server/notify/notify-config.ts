// Outbox timing: the one place these numbers live. docs/messages.md explains them.
import type { MessageKind } from '@/server/db/generated/client';

/** A worker holds a claimed message this long; a message still SENDING after it is claimed again. */
export const CLAIM_SECONDS = 60;
/** Messages claimed per round. */
export const CLAIM_BATCH_SIZE = 20;
/** Send attempts (including ones cut short by a dead process) before a message is given up as FAILED. */
export const MAX_SEND_ATTEMPTS = 5;
/** Retry after 30 s, 60 s, 120 s, ... of the previous attempt, never more than 30 min. */
export const BACKOFF_BASE_SECONDS = 30;
export const BACKOFF_CAP_SECONDS = 30 * 60;

/** A personal link in a message stays valid this long after the visit's planned end. */
export const LINK_VALID_AFTER_END_HOURS = 12;
/** A link token is shown to staff (bodyPreview) cut to this many characters. */
export const PREVIEW_TOKEN_CHARS = 6;

/** Messages about one visit at one start time; they carry the patient's personal link. */
export const VISIT_KINDS = ['BOOKED', 'REMINDER_24H', 'REMINDER_15M', 'RESCHEDULED', 'VIDEO_LINK'] as const satisfies readonly MessageKind[];

/**
 * Reminders before the visit. A reminder is not queued if its time has passed, or if it would go out
 * within `minGapAfterBookingMinutes` of the booking confirmation (a visit booked 24 h 10 min ahead
 * gets one text, not two ten minutes apart; the 15-minute nudge is always worth sending).
 */
export const REMINDERS = [
  { kind: 'REMINDER_24H', minutesBefore: 24 * 60, minGapAfterBookingMinutes: 60 },
  { kind: 'REMINDER_15M', minutesBefore: 15, minGapAfterBookingMinutes: 0 },
] as const satisfies readonly { kind: MessageKind; minutesBefore: number; minGapAfterBookingMinutes: number }[];

/** Why a message was not sent (stored in `lastError` of a SKIPPED message; the admin page translates it). */
export const SKIP_REASONS = ['opted-out', 'appointment-cancelled', 'rescheduled', 'too-late', 'no-appointment', 'invite-closed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
