import { BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS } from './notify-config';

/** Seconds to wait after the `attempts`-th failed attempt (1 → 30 s, 2 → 60 s, 3 → 120 s, ... capped). */
export function backoffSeconds(attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(exponent, 20));
}

export function nextAttemptAt(now: Date, attempts: number): Date {
  return new Date(now.getTime() + backoffSeconds(attempts) * 1000);
}
