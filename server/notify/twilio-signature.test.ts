import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, twilioSignature } from './twilio-signature';

// The worked example of Twilio's request-validation documentation (auth token 12345).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: [string, string][] = [
  ['Digits', '1234'],
  ['To', '+18005551212'],
  ['From', '+14158675309'],
  ['Caller', '+14158675309'],
  ['CallSid', 'CA1234567890ABCDE'],
];
const DOCUMENTED = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio webhook signature', () => {
  it("reproduces Twilio's documented signature, whatever the order of the parameters", () => {
    expect(twilioSignature(TOKEN, URL_, PARAMS)).toBe(DOCUMENTED);
    expect(twilioSignature(TOKEN, URL_, [...PARAMS].reverse())).toBe(DOCUMENTED);
    expect(isValidTwilioSignature(TOKEN, URL_, new URLSearchParams(PARAMS), DOCUMENTED)).toBe(true);
  });

  it('sorts repeated parameters by value and counts each pair once, as Twilio does', () => {
    const repeated: [string, string][] = [
      ['Sid', 'CA123'],
      ['SidAccount', 'AC123'],
      ['Digits', '5678'],
      ['Digits', '1234'],
      ['Digits', '1234'],
    ];
    expect(twilioSignature(TOKEN, URL_, repeated)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('refuses a changed parameter, URL, token, or a missing or forged signature', () => {
    const tampered = PARAMS.map(([k, v]): [string, string] => (k === 'Digits' ? [k, '9999'] : [k, v]));
    expect(isValidTwilioSignature(TOKEN, URL_, tampered, DOCUMENTED)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, `${URL_}&x=1`, PARAMS, DOCUMENTED)).toBe(false);
    expect(isValidTwilioSignature('54321', URL_, PARAMS, DOCUMENTED)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, URL_, PARAMS, null)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, URL_, PARAMS, '')).toBe(false);
    expect(isValidTwilioSignature(TOKEN, URL_, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8')).toBe(false);
  });

  it('accepts the signature of the same URL with its default port written out', () => {
    const signed = twilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(isValidTwilioSignature(TOKEN, URL_, PARAMS, signed)).toBe(true);
  });
});
