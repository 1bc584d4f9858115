// A clinic's phone line as an admin edits it, checked the same way by the server and by the admin screen's form.
import { z } from 'zod';

export const PHONE_NUMBERS_MAX = 10;
export const ALLOWED_ADDRESSES_MAX = 20;

export const e164Number = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'Enter the number with its country code, e.g. +8657188880000');

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 address or CIDR block (10.0.0.0/8) the carrier sends calls from. */
export const carrierAddress = z
  .string()
  .trim()
  .refine((value) => {
    const [ip, bits, extra] = value.split('/');
    if (extra !== undefined || !ip || !ipv4.test(ip)) return false;
    return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
  }, 'Enter an IPv4 address or a CIDR block, e.g. 203.0.113.10 or 203.0.113.0/24');

const sipUsername = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.!~*'()&=+$,;?/-]{1,64}$/, 'A SIP user name is 1 to 64 letters, digits or -_. (no spaces)');
const sipPassword = z.string().min(12, 'A SIP password needs at least 12 characters').max(128, 'A SIP password has at most 128 characters');
const sipHost = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'Enter the carrier host name or address, optionally with :port, e.g. sip.carrier.example:5060');

/** Empty or left out: not set. */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((value) => (value === '' || value === undefined ? null : value), schema.nullable());

export const phoneSettingsInput = z
  .object({
    numbers: z.array(e164Number).max(PHONE_NUMBERS_MAX, `At most ${PHONE_NUMBERS_MAX} numbers`),
    allowedAddresses: z.array(carrierAddress).max(ALLOWED_ADDRESSES_MAX, `At most ${ALLOWED_ADDRESSES_MAX} addresses`),
    inboundUsername: optional(sipUsername),
    inboundPassword: optional(sipPassword),
    outboundAddress: optional(sipHost),
    outboundNumber: optional(e164Number),
    outboundUsername: optional(sipUsername),
    outboundPassword: optional(sipPassword),
  })
  .superRefine((value, ctx) => {
    if (value.numbers.length > 0 && value.allowedAddresses.length === 0 && !value.inboundUsername) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowedAddresses'],
        message: 'Calls must be limited to the carrier: give its addresses, or a user name and password',
      });
    }
    // A user name without a password keeps the saved password (the service refuses it when none is saved).
    if (!value.inboundUsername && value.inboundPassword) {
      ctx.addIssue({ code: 'custom', path: ['inboundUsername'], message: 'Give the user name this password is for' });
    }
    if (!value.outboundUsername && value.outboundPassword) {
      ctx.addIssue({ code: 'custom', path: ['outboundUsername'], message: 'Give the user name this password is for' });
    }
    if (value.outboundAddress && !value.outboundNumber) {
      ctx.addIssue({ code: 'custom', path: ['outboundNumber'], message: 'Give the number calls go out from' });
    }
    if (!value.outboundAddress && (value.outboundNumber || value.outboundUsername)) {
      ctx.addIssue({ code: 'custom', path: ['outboundAddress'], message: 'Give the carrier address calls go out to' });
    }
    const seen = new Set<string>();
    value.numbers.forEach((number, index) => {
      if (seen.has(number)) ctx.addIssue({ code: 'custom', path: ['numbers', index], message: 'This number is listed twice' });
      seen.add(number);
    });
  });

export type PhoneSettingsInput = z.infer<typeof phoneSettingsInput>;
