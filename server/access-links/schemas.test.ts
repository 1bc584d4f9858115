import { describe, expect, it } from 'vitest';
import { birthDateSchema, patientLinkCredentialsSchema } from './schemas';
import { newLinkToken } from './link-token';

describe('link credentials', () => {
  it('accepts a real past date', () => {
    expect(birthDateSchema.parse(' 1956-03-14 ')).toBe('1956-03-14');
  });

  it.each(['1956-02-30', '1956-13-01', '56-03-14', '2999-01-01', '1850-01-01', ''])('refuses %j', (value) => {
    expect(birthDateSchema.safeParse(value).success).toBe(false);
  });

  it('needs a 43-character base64url token', () => {
    expect(patientLinkCredentialsSchema.safeParse({ token: newLinkToken(), birthDate: '1956-03-14' }).success).toBe(true);
    expect(patientLinkCredentialsSchema.safeParse({ token: 'short', birthDate: '1956-03-14' }).success).toBe(false);
  });
});
