import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

// 32 random bytes, base64url: 43 characters with no padding.
export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Demo links must survive a re-seed, so they are derived from the secret instead of random. */
export function derivedLinkToken(secret: string, label: string): string {
  return createHmac('sha256', secret).update(`revisit-demo-link:${label}`).digest('base64url');
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isWellFormedLinkToken(token: string): boolean {
  return linkTokenSchema.safeParse(token).success;
}
