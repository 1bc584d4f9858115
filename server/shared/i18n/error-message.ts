// One way to tell a person why the server refused: its reason's message in their language.
import type { DomainErrorCode, ErrorReason } from '@/server/errors';
import type { Messages } from './dictionaries';
import { format } from './format';

type Refusal = { reason?: string | null; code?: string };

/**
 * A tRPC client error (reason and code arrive in `data`, see the errorFormatter in server/api/trpc.ts)
 * or a DomainError a server component caught. Anything else (a network failure, a bug) has neither.
 */
export type RefusedError = { data?: Refusal | null } | Refusal | null | undefined;

/** The codes a refusal arrives with: the domain's, and tRPC's name for UNAVAILABLE. */
type RefusalCode = DomainErrorCode | 'SERVICE_UNAVAILABLE';

export type ErrorMessageOptions = {
  /** The screen's own words for some reasons (a patient is told "that time was just taken", staff "overlap"). */
  reasons?: Partial<Record<ErrorReason, string>>;
  /** For a refusal that carries no reason (e.g. input that failed validation): a message by its code. */
  codes?: Partial<Record<RefusalCode, string>>;
  /** Values for the message's placeholders, such as `{start}`. */
  values?: Record<string, string | number>;
};

function isReason(reason: string | null | undefined, t: Pick<Messages, 'errors'>): reason is ErrorReason {
  return typeof reason === 'string' && Object.hasOwn(t.errors, reason);
}

/** The message for a refusal; "Something went wrong" when it has no reason or code this knows. */
export function errorMessage(error: RefusedError, t: Pick<Messages, 'errors' | 'common'>, options: ErrorMessageOptions = {}): string {
  const refusal = error && 'data' in error ? error.data : (error as Refusal | null | undefined);
  const reason = refusal?.reason;
  const code = refusal?.code as RefusalCode | undefined;
  const message = isReason(reason, t) ? (options.reasons?.[reason] ?? t.errors[reason]) : code ? options.codes?.[code] : undefined;
  if (message === undefined) return t.common.somethingWrong;
  return options.values ? format(message, options.values) : message;
}
