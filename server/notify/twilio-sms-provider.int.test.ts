import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmsSendError } from './sms-provider';
import { startFakeSmsServer, type FakeSmsServer } from './testing/fake-sms-server';
import { TwilioSmsProvider, type TwilioConfig } from './twilio-sms-provider';

let fake: FakeSmsServer;
const config = (overrides: Partial<TwilioConfig> = {}): TwilioConfig => ({
  accountSid: fake.accountSid,
  authToken: fake.authToken,
  from: '+15005550006',
  baseUrl: `${fake.baseUrl}/`,
  timeoutMs: 2000,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<SmsSendError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsSendError);
  return error as SmsSendError;
}

beforeAll(async () => {
  fake = await startFakeSmsServer();
});
afterAll(() => fake.close());

describe('Twilio provider against a local Twilio-compatible server', () => {
  it('posts To, From, Body and StatusCallback, form-encoded with Basic auth, and returns the sid', async () => {
    const sent = await new TwilioSmsProvider(config()).send({
      to: '+8613800000001',
      body: '复诊提醒 & a link: https://x.example/v/abc?x=1',
      statusCallbackUrl: 'https://revisit.example.org/api/sms/status?m=abc',
    });
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(request.basicAuth).toBe(`${fake.accountSid}:${fake.authToken}`);
    expect(request.form).toEqual({
      To: '+8613800000001',
      From: '+15005550006',
      Body: '复诊提醒 & a link: https://x.example/v/abc?x=1',
      StatusCallback: 'https://revisit.example.org/api/sms/status?m=abc',
    });
    expect(sent.providerMessageId).toBe(request.sid);
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('reports wrong credentials as retryable (an operator can fix them) and an invalid number as final', async () => {
    const auth = await failure(new TwilioSmsProvider(config({ authToken: 'wrong' })).send({ to: '+8613800000001', body: 'x' }));
    expect(auth).toMatchObject({ retryable: true, status: 401, providerCode: '20003' });
    fake.enqueue({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const invalid = await failure(new TwilioSmsProvider(config()).send({ to: '+86', body: 'x' }));
    expect(invalid).toMatchObject({ retryable: false, status: 400, providerCode: '21211' });
    fake.enqueue({ kind: 'error', status: 429, code: 20429, message: 'Too Many Requests' });
    expect(await failure(new TwilioSmsProvider(config()).send({ to: '+8613800000001', body: 'x' }))).toMatchObject({ retryable: true, status: 429 });
  });

  it('reports an unreachable server and a timeout as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await failure(new TwilioSmsProvider(config({ baseUrl: `http://127.0.0.1:${port}` })).send({ to: '+8613800000001', body: 'x' }));
    expect(unreachable.retryable).toBe(true);

    fake.enqueue({ kind: 'hang' });
    const slow = await failure(new TwilioSmsProvider(config({ timeoutMs: 200 })).send({ to: '+8613800000001', body: 'x' }));
    expect(slow).toMatchObject({ retryable: true, message: 'Twilio request failed: no answer within 200 ms' });
  });

  it('does not retry an accepted request whose answer has no sid (sending again could duplicate it)', async () => {
    const odd = createServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"status":"queued"}');
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    const { port } = odd.address() as AddressInfo;
    try {
      const error = await failure(new TwilioSmsProvider(config({ baseUrl: `http://127.0.0.1:${port}` })).send({ to: '+8613800000001', body: 'x' }));
      expect(error).toMatchObject({ retryable: false, status: 201 });
    } finally {
      await new Promise<void>((resolve) => odd.close(() => resolve()));
    }
  });
});
