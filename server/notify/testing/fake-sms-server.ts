// A local stand-in for Twilio's Messages API (node:http on 127.0.0.1, a free port) for integration
// tests: it checks auth and fields the way Twilio does, records every request, and fails on demand.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'accept' }
  /** Answers this status with a Twilio-style error body. */
  | { kind: 'error'; status: number; code?: number; message?: string }
  /** Waits this long before accepting (longer than the client's timeout: it gives up first). */
  | { kind: 'slow'; delayMs: number }
  /** Never answers. */
  | { kind: 'hang' };

export type RecordedRequest = {
  path: string;
  /** `user:password` from HTTP Basic auth, or null. */
  basicAuth: string | null;
  form: Record<string, string>;
  behaviour: Behaviour['kind'];
  /** The sid given when the request was answered 201 (the message counts as sent), else null. */
  sid: string | null;
  /** False while unanswered, and for good when the client hung up before the answer was written. */
  answered: boolean;
};

export type FakeSmsServer = {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  requests: RecordedRequest[];
  /** Requests the "provider" accepted (answered 201 with a sid): the texts that went out. */
  accepted(): RecordedRequest[];
  /** The next requests get these behaviours, in order; after that, `fallback`. */
  enqueue(...behaviours: Behaviour[]): void;
  /** What requests get when nothing is enqueued (default: accept). */
  fallback: Behaviour;
  /** Delay before every answer, to widen races in tests. */
  latencyMs: number;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSmsServer(options: { accountSid?: string; authToken?: string } = {}): Promise<FakeSmsServer> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];

  function json(response: ServerResponse, status: number, body: unknown) {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const header = request.headers.authorization ?? '';
    const basicAuth = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : null;
    const form = Object.fromEntries(new URLSearchParams(body));
    const behaviour = queue.shift() ?? fake.fallback;
    const record: RecordedRequest = { path: request.url ?? '', basicAuth, form, behaviour: behaviour.kind, sid: null, answered: false };
    requests.push(record);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    // Whether the answer reached the client: a client that gave up (timeout) or died never got it.
    response.on('close', () => {
      record.answered = response.writableFinished;
      if (!record.answered) record.sid = null;
    });

    if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return json(response, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    }
    if (basicAuth !== `${accountSid}:${authToken}`) {
      return json(response, 401, { code: 20003, message: 'Authentication Error - invalid username', status: 401 });
    }
    if (!form.To || !form.From || !form.Body) {
      return json(response, 400, { code: 21604, message: "A 'To', 'From' and 'Body' parameter is required.", status: 400 });
    }
    if (fake.latencyMs > 0) await sleep(fake.latencyMs);
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'error') {
      return json(response, behaviour.status, { code: behaviour.code ?? 20500, message: behaviour.message ?? 'Internal Server Error', status: behaviour.status });
    }
    if (behaviour.kind === 'slow') await sleep(behaviour.delayMs);
    if (request.socket.destroyed) return;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    record.sid = sid;
    json(response, 201, { sid, status: 'queued', to: form.To, from: form.From, body: form.Body, account_sid: accountSid });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeSmsServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    accepted: () => requests.filter((r) => r.sid !== null && r.answered),
    enqueue: (...behaviours) => queue.push(...behaviours),
    fallback: { kind: 'accept' },
    latencyMs: 0,
    waitForRequests: (count, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (requests.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${requests.length} of ${count} requests arrived`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}
