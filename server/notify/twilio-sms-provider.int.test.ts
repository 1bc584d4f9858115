import { createHash } from 'node:crypto';
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

  it('reports wrong credentials as retryable (an operator can fix them) and an invalid number as final; neither took the message', async () => {
    const auth = await failure(new TwilioSmsProvider(config({ authToken: 'wrong' })).send({ to: '+8613800000001', body: 'x' }));
    expect(auth).toMatchObject({ retryable: true, outcomeUnknown: false, status: 401, providerCode: '20003' });
    fake.enqueue({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const invalid = await failure(new TwilioSmsProvider(config()).send({ to: '+86', body: 'x' }));
    expect(invalid).toMatchObject({ retryable: false, outcomeUnknown: false, status: 400, providerCode: '21211' });
    fake.enqueue({ kind: 'error', status: 429, code: 20429, message: 'Too Many Requests' });
    expect(await failure(new TwilioSmsProvider(config()).send({ to: '+8613800000001', body: 'x' }))).toMatchObject({
      retryable: true,
      outcomeUnknown: false,
      status: 429,
    });
    // A server error may come after the message was taken (Twilio says so of its 500s).
    fake.enqueue({ kind: 'error', status: 502, message: 'Bad Gateway' });
    expect(await failure(new TwilioSmsProvider(config()).send({ to: '+8613800000001', body: 'x' }))).toMatchObject({
      retryable: true,
      outcomeUnknown: true,
      status: 502,
    });
  });

  it('reports an unreachable server as retryable and not sent, and a timeout as retryable with an unknown outcome', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await failure(new TwilioSmsProvider(config({ baseUrl: `http://127.0.0.1:${port}` })).send({ to: '+8613800000001', body: 'x' }));
    expect(unreachable).toMatchObject({ retryable: true, outcomeUnknown: false, message: 'Twilio request failed: fetch failed (ECONNREFUSED)' });

    fake.enqueue({ kind: 'hang' });
    const slow = await failure(new TwilioSmsProvider(config({ timeoutMs: 200 })).send({ to: '+8613800000001', body: 'x' }));
    expect(slow).toMatchObject({ retryable: true, outcomeUnknown: true, message: 'Twilio request failed: no answer within 200 ms' });
  });

  it('finds a message it sent by recipient and exact text, and only one created since the attempt began', async () => {
    const provider = new TwilioSmsProvider(config());
    const since = new Date();
    const body = `复诊提醒 https://x.example/v/${'A'.repeat(43)}`;
    const sent = await provider.send({ to: '+8613800000002', body });
    await provider.send({ to: '+8613800000002', body: 'another text' });
    await provider.send({ to: '+8613800000003', body });
    const sha = createHash('sha256').update(body, 'utf8').digest('hex');
    expect(await provider.findSent({ to: '+8613800000002', textSha256: sha, since })).toEqual(sent);
    expect(fake.lookups.at(-1)).toEqual({ To: '+8613800000002', From: '+15005550006', PageSize: '50' });
    const otherSha = createHash('sha256').update(`${body}.`, 'utf8').digest('hex');
    expect(await provider.findSent({ to: '+8613800000002', textSha256: otherSha, since })).toBeNull();
    expect(await provider.findSent({ to: '+8613800000004', textSha256: sha, since })).toBeNull();
    // Created long before the attempt: another message with the same text, not this one.
    expect(await provider.findSent({ to: '+8613800000002', textSha256: sha, since: new Date(Date.now() + 3600_000) })).toBeNull();

    fake.lookupsFail = true;
    try {
      expect(await failure(provider.findSent({ to: '+8613800000002', textSha256: sha, since }))).toMatchObject({ retryable: true, status: 503 });
    } finally {
      fake.lookupsFail = false;
    }
  });

  it('treats an accepted request whose answer has no sid as taken with an unknown outcome (looked up, never sent again blindly)', async () => {
    const odd = createServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{"status":"queued"}');
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    const { port } = odd.address() as AddressInfo;
    try {
      const error = await failure(new TwilioSmsProvider(config({ baseUrl: `http://127.0.0.1:${port}` })).send({ to: '+8613800000001', body: 'x' }));
      expect(error).toMatchObject({ retryable: true, outcomeUnknown: true, status: 201 });
    } finally {
      await new Promise<void>((resolve) => odd.close(() => resolve()));
    }
  });
});
