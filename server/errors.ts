// Services throw DomainError for every expected failure; only the API layer maps it to HTTP/tRPC.
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    message: string,
    /** A stable key the UI can translate; the message is the English fallback. */
    public readonly reason?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string, reason?: string) => new DomainError('NOT_FOUND', message, reason);
export const forbidden = (message: string, reason?: string) => new DomainError('FORBIDDEN', message, reason);
export const conflict = (message: string, reason?: string) => new DomainError('CONFLICT', message, reason);
export const unavailable = (message: string, reason?: string) => new DomainError('UNAVAILABLE', message, reason);
