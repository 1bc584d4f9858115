// A local stand-in for Twilio's Messages API (node:http on 127.0.0.1, a free port) for integration
// tests: it checks auth and fields the way Twilio does, records every request, and fails on demand.
// POST creates a message; GET lists the messages taken, newest first, filtered by To and From.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'accept' }
  /** Answers this status with a Twilio-style error body. */
  | { kind: 'error'; status: number; code?: number; message?: string }
  /** Waits this long before accepting (longer than the client's timeout: it gives up first, and nothing goes out). */
  | { kind: 'slow'; delayMs: number }
  /** Takes the message at once (the text goes out) but answers only after this long: a client that gave up never learns it. */
  | { kind: 'acceptLate'; delayMs: number }
  /** Never answers. */
  | { kind: 'hang' };

export type RecordedRequest = {
  path: string;
  /** `user:password` from HTTP Basic auth, or null. */
  basicAuth: string | null;
  form: Record<string, string>;
  behaviour: Behaviour['kind'];
  /** The sid of the message the "provider" took (answered 201, or taken by `acceptLate` whether answered or not), else null. */
  sid: string | null;
  /** False while unanswered, and for good when the client hung up before the answer was written. */
  answered: boolean;
  /** When the message was taken (its `date_created`). */
  takenAt: Date | null;
};

export type FakeSmsServer = {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Every POST of a message, in order of arrival. */
  requests: RecordedRequest[];
  /** The query of every GET of the message list (a look-up of a message whose send had no answer). */
  lookups: Record<string, string>[];
  /** Answer look-ups with 503 (the provider cannot be asked right now). */
  lookupsFail: boolean;
  /** Requests the "provider" took (they have a sid): the texts that went out. */
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
  const lookups: Record<string, string>[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];

  function json(response: ServerResponse, status: number, body: unknown) {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`;

  /** GET Messages.json?To=&From=&PageSize=: the messages taken, newest first, in Twilio's format (one page). */
  function list(response: ServerResponse, query: URLSearchParams) {
    const taken = requests
      .filter((r) => r.sid !== null && r.takenAt !== null)
      .filter((r) => (!query.get('To') || r.form.To === query.get('To')) && (!query.get('From') || r.form.From === query.get('From')))
      .reverse()
      .slice(0, Number(query.get('PageSize') ?? 50));
    const messages = taken.map((r) => ({
      sid: r.sid,
      account_sid: accountSid,
      to: r.form.To,
      from: r.form.From,
      body: r.form.Body,
      direction: 'outbound-api',
      status: 'delivered',
      date_created: r.takenAt!.toUTCString().replace('GMT', '+0000'),
    }));
    json(response, 200, { messages, next_page_uri: null, page: 0, page_size: messages.length });
  }

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const header = request.headers.authorization ?? '';
    const basicAuth = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : null;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === messagesPath) {
      if (basicAuth !== `${accountSid}:${authToken}`) {
        return json(response, 401, { code: 20003, message: 'Authentication Error - invalid username', status: 401 });
      }
      lookups.push(Object.fromEntries(url.searchParams));
      if (fake.lookupsFail) return json(response, 503, { code: 20503, message: 'Service Unavailable', status: 503 });
      return list(response, url.searchParams);
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    const behaviour = queue.shift() ?? fake.fallback;
    const record: RecordedRequest = { path: request.url ?? '', basicAuth, form, behaviour: behaviour.kind, sid: null, answered: false, takenAt: null };
    requests.push(record);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    // Whether the answer reached the client: a client that gave up (timeout) or died never got it.
    response.on('close', () => {
      record.answered = response.writableFinished;
      if (!record.answered && behaviour.kind !== 'acceptLate') record.sid = null;
    });

    if (request.method !== 'POST' || request.url !== messagesPath) {
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
      return json(response, behaviour.status, {
        code: behaviour.code ?? 20500,
        message: behaviour.message ?? 'Internal Server Error',
        status: behaviour.status,
      });
    }
    if (behaviour.kind === 'slow') await sleep(behaviour.delayMs);
    if (request.socket.destroyed) return;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    record.sid = sid;
    record.takenAt = new Date();
    if (behaviour.kind === 'acceptLate') {
      await sleep(behaviour.delayMs);
      if (request.socket.destroyed) return;
    }
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
    lookups,
    lookupsFail: false,
    accepted: () => requests.filter((r) => r.sid !== null),
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
